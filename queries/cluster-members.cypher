// cluster-members: The members of one cluster, each with the identifiers it shares with other members.
// "Shared" = the same payment fingerprint, IP, /24-/64 subnet or prompt fingerprint used by another member.
// One row per member: account, respawn flag, and a list of {kind, key, sharedWith} (sharedWith = other members using it).
// @param cluster string the cluster id (stable across runs)
// @param run string = "latest" `latest` (the newest finished run) or a LinkageRun id
MATCH (run:LinkageRun)
WHERE run.finishedAt IS NOT NULL AND ($run = 'latest' OR run.id = $run)
WITH run ORDER BY run.finishedAt DESC, run.id DESC LIMIT 1
MATCH (run)<-[:IN_RUN]-(c:Cluster {id: $cluster})<-[m:MEMBER_OF]-(a:Account)
WITH run, c, a, m,
  COLLECT {
    MATCH (a)-[:PAID_WITH|CONNECTED_FROM|SENT]->(i)<-[:PAID_WITH|CONNECTED_FROM|SENT]-(b:Account)-[:MEMBER_OF]->(c)
    WHERE b <> a
    WITH i, count(DISTINCT b) AS others
    RETURN {kind: labels(i)[0], key: coalesce(i.id, i.address), sharedWith: others}
  } AS direct,
  COLLECT {
    MATCH (a)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(s:Subnet)
    // a second MATCH: one pattern may not reuse a relationship, which would hide members on the same IP
    MATCH (s)<-[:IN_SUBNET]-(:IP)<-[:CONNECTED_FROM]-(b:Account)-[:MEMBER_OF]->(c)
    WHERE b <> a
    WITH s, count(DISTINCT b) AS others
    RETURN {kind: 'Subnet', key: s.cidr, sharedWith: others}
  } AS subnets
RETURN a.id AS account, coalesce(m.respawn, false) AND c.runId = run.id AS respawn, size(direct) + size(subnets) AS sharedCount,
       [x IN direct + subnets | x] AS shared
ORDER BY sharedCount DESC, account ASC
