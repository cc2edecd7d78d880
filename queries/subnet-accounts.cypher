// subnet-accounts: The accounts behind one IP subnet (a.b.c.0/24 or xxxx:xxxx:xxxx:xxxx::/64), with the
// addresses they used, their requests, and their cluster in the run (null when unclustered).
// @param cidr string the subnet, exactly as stored (Subnet.cidr)
// @param run string = "latest" `latest` (the newest finished run) or a LinkageRun id, for cluster membership
// @param limit int = 500 most rows returned
OPTIONAL MATCH (run:LinkageRun)
WHERE run.finishedAt IS NOT NULL AND ($run = 'latest' OR run.id = $run)
WITH run ORDER BY run.finishedAt DESC, run.id DESC LIMIT 1
MATCH (s:Subnet {cidr: $cidr})<-[:IN_SUBNET]-(ip:IP)<-[e:CONNECTED_FROM]-(a:Account)
WITH run, a, collect(DISTINCT ip.address) AS ips, sum(e.requests) AS requests
OPTIONAL MATCH (a)-[:MEMBER_OF]->(c:Cluster)-[:IN_RUN]->(run)
RETURN a.id AS account, ips, requests, c.id AS cluster, c.recommendation AS recommendation
ORDER BY requests DESC, account ASC
LIMIT $limit
