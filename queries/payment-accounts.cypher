// payment-accounts: The accounts behind one payment method (payment fingerprint), when each used it,
// and their cluster in the run (null when unclustered).
// @param payment string the payment fingerprint (PaymentMethod.id)
// @param run string = "latest" `latest` (the newest finished run) or a LinkageRun id, for cluster membership
// @param limit int = 500 most rows returned
OPTIONAL MATCH (run:LinkageRun)
WHERE run.finishedAt IS NOT NULL AND ($run = 'latest' OR run.id = $run)
WITH run ORDER BY run.finishedAt DESC, run.id DESC LIMIT 1
MATCH (p:PaymentMethod {id: $payment})<-[e:PAID_WITH]-(a:Account)
OPTIONAL MATCH (a)-[:MEMBER_OF]->(c:Cluster)-[:IN_RUN]->(run)
RETURN a.id AS account, e.firstSeen AS firstSeen, e.lastSeen AS lastSeen, e.observations AS observations,
       c.id AS cluster, c.recommendation AS recommendation
ORDER BY firstSeen ASC, account ASC
LIMIT $limit
