package ringscope;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

import org.neo4j.exceptions.KernelException;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.Transaction;
import org.neo4j.internal.kernel.api.NodeValueIndexCursor;
import org.neo4j.internal.kernel.api.PropertyIndexQuery;
import org.neo4j.internal.kernel.api.TokenRead;
import org.neo4j.internal.schema.IndexDescriptor;
import org.neo4j.internal.schema.SchemaDescriptors;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * ringscope's ingest write path inside Neo4j: one call writes one part of a batch with the same
 * merge rules as the Cypher statements of src/db/ingest-repository.ts (nodes merged on their unique
 * keys, relationship firstSeen min, lastSeen max, counts and observations added, prompt markers
 * united, hourly activity merged into the account's sorted lists, IPs linked to their subnet).
 *
 * Why it exists: on the default services the Cypher write path spent more Neo4j CPU per row than
 * LOAD CSV although it did fewer db hits (BENCHMARKS.md, "Ingest: ringscope vs LOAD CSV"): the cost
 * was the interpreted runtime's per-row and per-statement work, not storage. The Core API does the
 * same storage work without it.
 *
 * Keys are looked up with the kernel's locking unique-index seek, the operation Cypher's MERGE
 * uses: a missing key's index entry stays locked until commit, so a concurrent writer waits and
 * then finds the node instead of creating a second one or failing on the constraint.
 *
 * Parameters are parallel lists (one list per field), which cost the client and the server less
 * to encode and decode than a map per relationship (BENCHMARKS.md, "Ingest: client CPU per row").
 */
// getId / getNodeById are deprecated for removal after 5.x; Neo4j is pinned to 5.26 (pom.xml).
@SuppressWarnings("removal")
public final class IngestProcedure {
    @Context
    public Transaction tx;

    @Context
    public KernelTransaction ktx;

    /** One row: what the call created, for the client's log and tests. */
    public static final class Written {
        public long nodesCreated;
        public long relationshipsCreated;
    }

    @Procedure(name = "ringscope.ingest", mode = Mode.WRITE)
    @Description("ringscope.ingest(kind, part): write one part of an ingest batch (ringscope's write path; see docs/neo4j-model.md)")
    public Stream<Written> ingest(@Name("kind") String kind, @Name("part") Map<String, Object> part) throws KernelException {
        return Stream.of(new Call(tx, ktx).write(kind, part));
    }

    private static final Label ACCOUNT = Label.label("Account");
    private static final Label SUBNET = Label.label("Subnet");
    private static final RelationshipType IN_SUBNET = RelationshipType.withName("IN_SUBNET");
    private static final List<String> MARKERS = List.of("cot", "rubric");

    /** One call's state (Neo4j injects only @Context fields into the procedure's instance). */
    private static final class Call {
        private final Transaction tx;
        private final KernelTransaction ktx;
        private final Written written = new Written();
        /** Nodes this call created: a relationship to one of them cannot exist yet. */
        private final Set<Long> created = new HashSet<>();
        private final Map<String, Node> accounts = new HashMap<>();
        /** Nodes this call holds the write lock of (see locked). */
        private final Set<Long> lockedNodes = new HashSet<>();
        /** Identifier nodes of this call by key (each key is in one part's node rows). */
        private final Map<Object, Node> identifiers = new HashMap<>();
        private final Map<String, Lookup> lookups = new HashMap<>();

        Call(Transaction tx, KernelTransaction ktx) {
            this.tx = tx;
            this.ktx = ktx;
        }

        Written write(String kind, Map<String, Object> part) throws KernelException {
            switch (kind) {
                case "accounts" -> accounts(part);
                case "payment_methods" -> keyed(part, Kind.PAYMENT);
                case "ip_addresses" -> {
                    keyed(part, Kind.IP);
                    subnets(part);
                }
                case "prompt_fingerprints" -> keyed(part, Kind.PROMPT);
                case "activity" -> {
                    for (Object g : list(part, "parts")) activity(map(g));
                }
                default -> throw new IllegalArgumentException("ringscope.ingest: unknown kind " + kind);
            }
            return written;
        }

        // ---- accounts -------------------------------------------------------------------------------

        /** id, c (createdAt epoch ms), ed, co, ve, pl: createdAt min, the others coalesce(new, old). */
        private void accounts(Map<String, Object> p) throws KernelException {
            List<?> ids = list(p, "id");
            List<?> c = list(p, "c");
            List<?> ed = list(p, "ed");
            List<?> co = list(p, "co");
            List<?> ve = list(p, "ve");
            List<?> pl = list(p, "pl");
            for (int i = 0; i < ids.size(); i++) {
                String id = (String) ids.get(i);
                ZonedDateTime at = time(c.get(i));
                Node a = account(id);
                if (created.contains(a.getId())) {
                    a.setProperty("createdAt", at);
                    setIfPresent(a, "emailDomain", ed.get(i));
                    setIfPresent(a, "country", co.get(i));
                    setIfPresent(a, "verified", ve.get(i));
                    setIfPresent(a, "plan", pl.get(i));
                    continue;
                }
                Object old = a.getProperty("createdAt", null);
                if (old == null || at.isBefore((ZonedDateTime) old)) a.setProperty("createdAt", at);
                setIfChanged(a, "emailDomain", ed.get(i));
                setIfChanged(a, "country", co.get(i));
                setIfChanged(a, "verified", ve.get(i));
                setIfChanged(a, "plan", pl.get(i));
            }
        }

        // ---- payment methods, IPs, prompt fingerprints ----------------------------------------------

        private enum Kind {
            PAYMENT("PaymentMethod", "id", "PAID_WITH", null),
            IP("IP", "address", "CONNECTED_FROM", "requests"),
            PROMPT("PromptFingerprint", "id", "SENT", "count");

            final Label label;
            final String key;
            final RelationshipType type;
            /** The relationship's summed number property (null: none). */
            final String number;

            Kind(String label, String key, String type, String number) {
                this.label = Label.label(label);
                this.key = key;
                this.type = RelationshipType.withName(type);
                this.number = number;
            }
        }

        /**
         * a: account per group, size: relationships per group; per relationship k, fs, ls, o and n
         * (counts or requests); nk and the node properties per node, each key once (merged by the
         * client in row order).
         */
        private void keyed(Map<String, Object> batch, Kind kind) throws KernelException {
            // The uncontended part, then the contended one (src/loaders/batch-params.ts).
            for (Object part : list(batch, "parts")) keyedPart(map(part), kind);
        }

        private void keyedPart(Map<String, Object> p, Kind kind) throws KernelException {
            List<?> nk = list(p, "nk");
            Map<Object, Integer> nodeRow = new HashMap<>(nk.size() * 2);
            for (int i = 0; i < nk.size(); i++) nodeRow.put(nk.get(i), i);
            List<?> a = list(p, "a");
            List<?> size = list(p, "size");
            List<?> k = list(p, "k");
            List<?> fs = list(p, "fs");
            List<?> ls = list(p, "ls");
            List<?> o = list(p, "o");
            List<?> n = kind.number == null ? null : list(p, "n");
            int r = 0;
            for (int g = 0; g < a.size(); g++) {
                Node account = account((String) a.get(g));
                boolean accountNew = created.contains(account.getId());
                int end = r + ((Number) size.get(g)).intValue();
                for (; r < end; r++) {
                    Object key = k.get(r);
                    Node node = identifiers.get(key);
                    if (node == null) {
                        Integer row = nodeRow.get(key);
                        if (row == null) throw new IllegalArgumentException("ringscope.ingest: key " + key + " has no node row");
                        node = identifier(kind, key, p, row);
                        identifiers.put(key, node);
                    }
                    Relationship x = accountNew || created.contains(node.getId()) ? null : existing(locked(account), node, kind.type);
                    ZonedDateTime first = time(fs.get(r));
                    ZonedDateTime last = time(ls.get(r));
                    long obs = ((Number) o.get(r)).longValue();
                    if (x == null) {
                        x = account.createRelationshipTo(node, kind.type);
                        written.relationshipsCreated++;
                        if (kind.number != null) x.setProperty(kind.number, ((Number) n.get(r)).longValue());
                        x.setProperty("firstSeen", first);
                        x.setProperty("lastSeen", last);
                        x.setProperty("observations", obs);
                        continue;
                    }
                    if (kind.number != null) x.setProperty(kind.number, longOr(x.getProperty(kind.number, null), 0) + ((Number) n.get(r)).longValue());
                    Object f0 = x.getProperty("firstSeen", null);
                    if (f0 == null || first.isBefore((ZonedDateTime) f0)) x.setProperty("firstSeen", first);
                    Object l0 = x.getProperty("lastSeen", null);
                    if (l0 == null || last.isAfter((ZonedDateTime) l0)) x.setProperty("lastSeen", last);
                    x.setProperty("observations", longOr(x.getProperty("observations", null), 0) + obs);
                }
            }
        }

        /**
         * The key's node, merged: created with its properties, or its properties updated only where a
         * value would change (a write locks the node until commit, and a popular template or shared IP
         * would then serialise every writer for a no-op).
         */
        private Node identifier(Kind kind, Object key, Map<String, Object> p, int row) throws KernelException {
            // Every identifier key is a string (src/loaders/row-schemas.ts).
            String keyValue = String.valueOf(key);
            long id = seek(kind.label, kind.key, keyValue);
            boolean isNew = id < 0;
            Node node = isNew ? create(kind.label, kind.key, keyValue) : tx.getNodeById(id);
            switch (kind) {
                case PAYMENT -> {
                    Object bin = at(p, "bin", row);
                    Object cc = at(p, "cc", row);
                    if (isNew) {
                        setIfPresent(node, "cardBin", bin);
                        setIfPresent(node, "cardCountry", cc);
                    } else {
                        setIfChanged(node, "cardBin", bin);
                        setIfChanged(node, "cardCountry", cc);
                    }
                }
                case IP -> {
                    long v = ((Number) at(p, "v", row)).longValue();
                    Object asn = at(p, "asn", row);
                    Object proxy = at(p, "proxy", row);
                    if (isNew) {
                        node.setProperty("version", v);
                        setIfPresent(node, "asn", asn);
                        setIfPresent(node, "isProxy", proxy);
                    } else {
                        if (!Objects.equals(node.getProperty("version", null), v)) node.setProperty("version", v);
                        setIfChanged(node, "asn", asn);
                        setIfChanged(node, "isProxy", proxy);
                    }
                }
                case PROMPT -> {
                    Object fk = at(p, "fk", row);
                    Object cap = at(p, "cap", row);
                    List<?> mk = (List<?>) at(p, "mk", row);
                    if (isNew) {
                        node.setProperty("kind", fk == null ? "template" : fk);
                        if (!mk.isEmpty()) node.setProperty("markers", markers(mk, null));
                        setIfPresent(node, "capability", cap);
                    } else {
                        Object oldKind = node.getProperty("kind", null);
                        if (fk != null && !fk.equals(oldKind)) node.setProperty("kind", fk);
                        else if (oldKind == null) node.setProperty("kind", "template");
                        if (!mk.isEmpty()) {
                            String[] old = (String[]) node.getProperty("markers", null);
                            String[] merged = markers(mk, old);
                            if (old == null || !Arrays.equals(old, merged)) node.setProperty("markers", merged);
                        }
                        setIfChanged(node, "capability", cap);
                    }
                }
            }
            return node;
        }

        /** Known markers in their fixed order, those of the batch and those already stored. */
        private static String[] markers(List<?> batch, String[] old) {
            List<String> out = new ArrayList<>(2);
            for (String m : MARKERS) {
                if (batch.contains(m) || (old != null && Arrays.asList(old).contains(m))) out.add(m);
            }
            return out.toArray(new String[0]);
        }

        /** cidr, v, ips (per subnet: how many of `ip` are its), ip: MERGE the subnet, link its IPs once. */
        private void subnets(Map<String, Object> p) throws KernelException {
            List<?> cidr = list(p, "cidr");
            List<?> v = list(p, "sv");
            List<?> count = list(p, "sips");
            List<?> ip = list(p, "ip");
            int r = 0;
            for (int s = 0; s < cidr.size(); s++) {
                String c = (String) cidr.get(s);
                long version = ((Number) v.get(s)).longValue();
                long id = seek(SUBNET, "cidr", c);
                boolean isNew = id < 0;
                Node subnet = isNew ? create(SUBNET, "cidr", c) : tx.getNodeById(id);
                if (isNew || !Objects.equals(subnet.getProperty("version", null), version)) subnet.setProperty("version", version);
                int end = r + ((Number) count.get(s)).intValue();
                for (; r < end; r++) {
                    String address = (String) ip.get(r);
                    Node node = identifiers.get(address);
                    if (node == null) {
                        long ipId = seek(Kind.IP.label, "address", address);
                        if (ipId < 0) throw new IllegalStateException("ringscope.ingest: IP " + address + " of subnet " + c + " was not written");
                        node = tx.getNodeById(ipId);
                    }
                    if (isNew || created.contains(node.getId()) || existing(locked(node), subnet, IN_SUBNET) == null) {
                        node.createRelationshipTo(subnet, IN_SUBNET);
                        written.relationshipsCreated++;
                    }
                }
            }
        }

        // ---- activity -------------------------------------------------------------------------------

        /** a, h (hours ascending, distinct), n (requests) per account: merged into the stored lists, requests summed per hour. */
        private void activity(Map<String, Object> p) throws KernelException {
            List<?> a = list(p, "a");
            List<?> h = list(p, "h");
            List<?> n = list(p, "n");
            for (int g = 0; g < a.size(); g++) {
                Node account = account((String) a.get(g));
                long[] hours = longs((List<?>) h.get(g));
                long[] requests = longs((List<?>) n.get(g));
                // The lock is taken before the lists are read: a read-then-write without it can lose a
                // concurrent writer's update (Neo4j Operations Manual, "Concurrent data access").
                tx.acquireWriteLock(account);
                Object oh = account.getProperty("activeHours", null);
                if (oh == null) {
                    account.setProperty("activeHours", hours);
                    account.setProperty("hourlyRequests", requests);
                    continue;
                }
                long[] oldHours = (long[]) oh;
                Object or = account.getProperty("hourlyRequests", null);
                long[] oldRequests = or == null ? new long[oldHours.length] : (long[]) or;
                long[][] merged = mergeHours(oldHours, oldRequests, hours, requests);
                account.setProperty("activeHours", merged[0]);
                account.setProperty("hourlyRequests", merged[1]);
            }
        }

        /** Two hour lists, each ascending and distinct, merged; requests of the same hour summed. */
        static long[][] mergeHours(long[] h1, long[] n1, long[] h2, long[] n2) {
            long[] h = new long[h1.length + h2.length];
            long[] n = new long[h.length];
            int i = 0, j = 0, m = 0;
            while (i < h1.length || j < h2.length) {
                if (j >= h2.length || (i < h1.length && h1[i] < h2[j])) {
                    h[m] = h1[i];
                    n[m++] = i < n1.length ? n1[i] : 0;
                    i++;
                } else if (i >= h1.length || h2[j] < h1[i]) {
                    h[m] = h2[j];
                    n[m++] = n2[j];
                    j++;
                } else {
                    h[m] = h1[i];
                    n[m++] = (i < n1.length ? n1[i] : 0) + n2[j];
                    i++;
                    j++;
                }
            }
            return new long[][] {Arrays.copyOf(h, m), Arrays.copyOf(n, m)};
        }

        // ---- shared ---------------------------------------------------------------------------------

        private record Lookup(IndexDescriptor index, int property) {}

        /** The account, merged on its id (created bare when missing, as `MERGE (a:Account {id})` does). */
        private Node account(String id) throws KernelException {
            Node a = accounts.get(id);
            if (a != null) return a;
            long nodeId = seek(ACCOUNT, "id", id);
            a = nodeId < 0 ? create(ACCOUNT, "id", id) : tx.getNodeById(nodeId);
            accounts.put(id, a);
            return a;
        }

        /**
         * The node holding `value` under the label's uniqueness constraint, or -1 with the value's index
         * entry locked until commit, so that this transaction alone may create it.
         */
        private long seek(Label label, String key, Object value) throws KernelException {
            Lookup l = lookup(label, key);
            try (NodeValueIndexCursor cursor = ktx.cursors().allocateNodeValueIndexCursor(ktx.cursorContext(), ktx.memoryTracker())) {
                return ktx.dataRead().lockingNodeUniqueIndexSeek(l.index, cursor, PropertyIndexQuery.exact(l.property, value));
            }
        }

        private Lookup lookup(Label label, String key) {
            String name = label.name() + "." + key;
            Lookup l = lookups.get(name);
            if (l != null) return l;
            TokenRead tokens = ktx.tokenRead();
            int labelId = tokens.nodeLabel(label.name());
            int propertyId = tokens.propertyKey(key);
            // ensureSchema's constraint created the label and property tokens with its index (-1: no token).
            Iterator<IndexDescriptor> it = labelId < 0 || propertyId < 0
                    ? java.util.Collections.emptyIterator()
                    : ktx.schemaRead().indexForSchemaNonTransactional(SchemaDescriptors.forLabel(labelId, propertyId));
            while (it.hasNext()) {
                IndexDescriptor index = it.next();
                if (index.isUnique()) {
                    l = new Lookup(index, propertyId);
                    lookups.put(name, l);
                    return l;
                }
            }
            throw new IllegalStateException("ringscope.ingest: no uniqueness constraint on :" + label.name() + "(" + key + "); run ensureSchema first");
        }

        private Node create(Label label, String key, Object value) {
            Node n = tx.createNode(label);
            n.setProperty(key, value);
            created.add(n.getId());
            written.nodesCreated++;
            return n;
        }

        /**
         * The node, write-locked until commit (once per call), before its relationships are searched:
         * Neo4j creates a relationship under shared node locks, so two transactions could otherwise
         * both find none and both create one. MERGE locks the same way for the same reason.
         */
        private Node locked(Node n) {
            if (lockedNodes.add(n.getId())) tx.acquireWriteLock(n);
            return n;
        }

        /** The relationship of `type` from `from` to `to`, walking the side with fewer of them. */
        private static Relationship existing(Node from, Node to, RelationshipType type) {
            boolean fromSide = from.getDegree(type, Direction.OUTGOING) <= to.getDegree(type, Direction.INCOMING);
            Node walk = fromSide ? from : to;
            Node other = fromSide ? to : from;
            try (var rels = walk.getRelationships(fromSide ? Direction.OUTGOING : Direction.INCOMING, type)) {
                for (Relationship r : rels) {
                    if (r.getOtherNode(walk).equals(other)) return r;
                }
            }
            return null;
        }

        private static void setIfPresent(Node n, String prop, Object v) {
            if (v != null) n.setProperty(prop, v);
        }

        /** coalesce(new, old), written only when it changes the value. */
        private static void setIfChanged(Node n, String prop, Object v) {
            if (v != null && !v.equals(n.getProperty(prop, null))) n.setProperty(prop, v);
        }

        private static ZonedDateTime time(Object epochMillis) {
            return ZonedDateTime.ofInstant(Instant.ofEpochMilli(((Number) epochMillis).longValue()), ZoneOffset.UTC);
        }

        private static long longOr(Object v, long dflt) {
            return v == null ? dflt : ((Number) v).longValue();
        }

        private static long[] longs(List<?> l) {
            long[] out = new long[l.size()];
            for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).longValue();
            return out;
        }

        private static List<?> list(Map<String, Object> p, String field) {
            Object v = p.get(field);
            if (!(v instanceof List<?> l)) throw new IllegalArgumentException("ringscope.ingest: field " + field + " must be a list");
            return l;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> map(Object v) {
            if (!(v instanceof Map<?, ?>)) throw new IllegalArgumentException("ringscope.ingest: a part must be a map");
            return (Map<String, Object>) v;
        }

        private static Object at(Map<String, Object> p, String field, int row) {
            return list(p, field).get(row);
        }
    }
}
