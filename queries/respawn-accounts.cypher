// respawn-accounts: Accounts that joined an enforced cluster since the previous run: members of a cluster
// in this run whose predecessor (same id, or previousId) was recommended `enforce` in the previous run,
// and who were not members of it then. The stored MEMBER_OF.respawn flag is returned alongside as a cross-check.
// @param run string = "latest" `latest` (the newest finished run) or a LinkageRun id
MATCH (run:LinkageRun)
WHERE run.finishedAt IS NOT NULL AND ($run = 'latest' OR run.id = $run)
WITH run ORDER BY run.finishedAt DESC, run.id DESC LIMIT 1
MATCH (prev:LinkageRun) WHERE prev.finishedAt IS NOT NULL AND prev.startedAt < run.startedAt
WITH run, prev ORDER BY prev.startedAt DESC, prev.id DESC LIMIT 1
MATCH (run)<-[i:IN_RUN]-(c:Cluster)<-[m:MEMBER_OF]-(a:Account)
MATCH (prev)<-[:IN_RUN]-(p:Cluster {recommendation: 'enforce'})
WHERE p.id = coalesce(CASE WHEN i.lineage IS NULL THEN c.previousId ELSE i.previousId END, c.id)
  AND NOT EXISTS { (a)-[:MEMBER_OF]->(p) }
RETURN a.id AS account, c.id AS cluster, c.recommendation AS recommendation, p.id AS enforcedCluster,
       prev.id AS previousRun, a.createdAt AS accountCreatedAt, coalesce(m.respawn, false) AND c.runId = run.id AS respawnFlag
ORDER BY cluster ASC, account ASC
