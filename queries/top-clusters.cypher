// top-clusters: The strongest clusters of a linkage run (default: the latest), score first.
// Returns one row per cluster: id, score, recommendation, size, lineage, previous id, weakest link, reasons.
// @param run string = "latest" `latest` (the newest finished run) or a LinkageRun id
// @param minRecommendation string = "monitor" lowest recommendation shown: monitor, review or enforce
// @param limit int = 20 most clusters returned
MATCH (run:LinkageRun)
WHERE run.finishedAt IS NOT NULL AND ($run = 'latest' OR run.id = $run)
WITH run ORDER BY run.finishedAt DESC, run.id DESC LIMIT 1
// lineage and previousId are the run's, on IN_RUN (older runs: on the cluster)
MATCH (c:Cluster)-[i:IN_RUN]->(run)
WITH run, c, i, {monitor: 0, review: 1, enforce: 2} AS rank
WHERE rank[c.recommendation] >= rank[$minRecommendation]
RETURN run.id AS run, c.id AS cluster, c.score AS score, c.recommendation AS recommendation, c.size AS size,
       coalesce(i.lineage, c.lineage) AS lineage, CASE WHEN i.lineage IS NULL THEN c.previousId ELSE i.previousId END AS previousId,
       c.weakestLink AS weakestLink, c.reasons AS reasons
ORDER BY score DESC, cluster ASC
LIMIT $limit
