// bridging-identifiers: Identifiers used by members of two different clusters of a run: a card, IP, subnet
// or prompt fingerprint that bridges them (a possible false split, or a shared reseller).
// One row per identifier and cluster pair, with how many members of each cluster use it.
// @param run string = "latest" `latest` (the newest finished run) or a LinkageRun id
// @param clusterA string = null restrict to pairs involving this cluster (null: every pair)
// @param clusterB string = null restrict to pairs involving this other cluster (null: any)
// @param limit int = 100 most rows returned
MATCH (run:LinkageRun)
WHERE run.finishedAt IS NOT NULL AND ($run = 'latest' OR run.id = $run)
WITH run ORDER BY run.finishedAt DESC, run.id DESC LIMIT 1
CALL (run) {
  MATCH (run)<-[:IN_RUN]-(c1:Cluster)<-[:MEMBER_OF]-(a1:Account)-[:PAID_WITH|CONNECTED_FROM|SENT]->(i)
        <-[:PAID_WITH|CONNECTED_FROM|SENT]-(a2:Account)-[:MEMBER_OF]->(c2:Cluster)-[:IN_RUN]->(run)
  WHERE c1.id < c2.id
  RETURN labels(i)[0] AS kind, coalesce(i.id, i.address) AS key, c1, c2, a1, a2
  UNION
  MATCH (run)<-[:IN_RUN]-(c1:Cluster)<-[:MEMBER_OF]-(a1:Account)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(i:Subnet)
  // a second MATCH, so that two members on the very same IP still meet through its subnet
  MATCH (i)<-[:IN_SUBNET]-(:IP)<-[:CONNECTED_FROM]-(a2:Account)-[:MEMBER_OF]->(c2:Cluster)-[:IN_RUN]->(run)
  WHERE c1.id < c2.id
  RETURN 'Subnet' AS kind, i.cidr AS key, c1, c2, a1, a2
}
WITH kind, key, c1, c2, count(DISTINCT a1) AS membersA, count(DISTINCT a2) AS membersB
WHERE ($clusterA IS NULL OR $clusterA IN [c1.id, c2.id])
  AND ($clusterB IS NULL OR $clusterB IN [c1.id, c2.id])
RETURN kind, key, c1.id AS clusterA, membersA, c2.id AS clusterB, membersB
ORDER BY membersA + membersB DESC, kind ASC, key ASC, clusterA ASC, clusterB ASC
LIMIT $limit
