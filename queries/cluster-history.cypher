// cluster-history: One cluster across every run, oldest first: score, recommendation, size, lineage,
// and how many members joined as respawns. Follows the stable cluster id and clusters whose previousId is it.
// @param cluster string the cluster id
// A cluster carried into a later run is the same node in both (IN_RUN lineage `unchanged`); respawns
// count in the run that detected it (c.runId).
MATCH (c:Cluster)-[i:IN_RUN]->(run:LinkageRun)
WITH c, run, coalesce(i.lineage, c.lineage) AS lineage, CASE WHEN i.lineage IS NULL THEN c.previousId ELSE i.previousId END AS previousId
WHERE run.finishedAt IS NOT NULL AND (c.id = $cluster OR previousId = $cluster)
RETURN run.id AS run, run.startedAt AS startedAt, c.id AS cluster, c.score AS score,
       c.recommendation AS recommendation, c.size AS size, lineage, previousId,
       CASE WHEN c.runId = run.id THEN COUNT { (c)<-[m:MEMBER_OF]-(:Account) WHERE m.respawn } ELSE 0 END AS respawns
ORDER BY startedAt ASC, cluster ASC
