// top-clusters: The strongest clusters of a linkage run (default: the latest), score first.
// Returns one row per cluster: id, score, recommendation, size, lineage, previous id, weakest link, reasons.
// @param run string = "latest" `latest` (the newest finished run) or a LinkageRun id
// @param minRecommendation string = "monitor" lowest recommendation shown: monitor, review or enforce
// @param limit int = 20 most clusters returned
MATCH (run:LinkageRun)
WHERE run.finishedAt IS NOT NULL AND ($run = 'latest' OR run.id = $run)
WITH run ORDER BY run.finishedAt DESC, run.id DESC LIMIT 1
MATCH (c:Cluster)-[:IN_RUN]->(run)
WITH run, c, {monitor: 0, review: 1, enforce: 2} AS rank
WHERE rank[c.recommendation] >= rank[$minRecommendation]
RETURN run.id AS run, c.id AS cluster, c.score AS score, c.recommendation AS recommendation, c.size AS size,
       c.lineage AS lineage, c.previousId AS previousId, c.weakestLink AS weakestLink, c.reasons AS reasons
ORDER BY score DESC, cluster ASC
LIMIT $limit
