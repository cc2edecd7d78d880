// cluster-history: One cluster across every run, oldest first: score, recommendation, size, lineage,
// and how many members joined as respawns. Follows the stable cluster id and clusters whose previousId is it.
// @param cluster string the cluster id
MATCH (c:Cluster)-[:IN_RUN]->(run:LinkageRun)
WHERE run.finishedAt IS NOT NULL AND (c.id = $cluster OR c.previousId = $cluster)
RETURN run.id AS run, run.startedAt AS startedAt, c.id AS cluster, c.score AS score,
       c.recommendation AS recommendation, c.size AS size, c.lineage AS lineage, c.previousId AS previousId,
       COUNT { (c)<-[m:MEMBER_OF]-(:Account) WHERE m.respawn } AS respawns
ORDER BY startedAt ASC, cluster ASC
