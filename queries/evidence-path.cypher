// evidence-path: The shortest evidence path between two accounts, through shared identifiers
// (payment fingerprints, IPs and their subnets, prompt fingerprints) and, optionally, the run's LINKED edges.
// Returns the path as alternating nodes {kind, key} and relationship types, and its length (at most 8 hops).
// @param from string account id at one end
// @param to string account id at the other end
// @param viaLinked boolean = true also walk LINKED edges of the run (false: identifiers only)
// @param run string = "latest" the run whose LINKED edges may be used
MATCH (run:LinkageRun)
WHERE run.finishedAt IS NOT NULL AND ($run = 'latest' OR run.id = $run)
WITH run ORDER BY run.finishedAt DESC, run.id DESC LIMIT 1
// The run's LINKED edges are those of the clusters it includes: written by the run that detected each
// cluster (LINKED.runId, LINKED.cluster), which is the run itself unless the cluster was carried over.
WITH run, COLLECT { MATCH (c:Cluster)-[:IN_RUN]->(run) WHERE c.runId <> run.id RETURN c.uid } AS carried
MATCH (a:Account {id: $from}), (b:Account {id: $to})
MATCH p = shortestPath((a)-[:PAID_WITH|CONNECTED_FROM|SENT|IN_SUBNET|LINKED*..8]-(b))
WHERE all(r IN relationships(p) WHERE type(r) <> 'LINKED'
          OR ($viaLinked AND (r.runId = run.id OR r.runId + '/' + r.cluster IN carried)))
RETURN length(p) AS hops,
       [n IN nodes(p) | {kind: labels(n)[0], key: coalesce(n.id, n.address, n.cidr)}] AS nodes,
       [r IN relationships(p) | type(r)] AS relationships
