import type { ManagedTransaction } from 'neo4j-driver';
import type { AccountGroup, BatchParams, RelParam } from '../loaders/batch-params.js';
import { EditedDropError } from '../util/errors.js';
import { neo4j, toNum, type Neo4jClient } from './neo4j-client.js';

/**
 * Every Neo4j statement of ingest (docs/neo4j-model.md). Cypher text is constant; data only ever
 * travels as parameters. JS numbers become Neo4j integers here (a plain number would be stored as a float).
 */

/** The ledger entry of a drop. */
export interface DropLedger {
  readonly sha256: string;
  readonly id: string;
  readonly rows: number;
  readonly rejects: number;
  readonly files: readonly string[];
  /** sha256 of each file, parallel to `files` (absent on entries written before per-file hashes were kept). */
  readonly fileSha256s?: readonly string[];
}

/** A file of a drop id and the content it started loading with (`(:DropFile)`, written before its first batch). */
export interface DropFileClaim {
  readonly name: string;
  readonly sha256: string;
}

/** What the ledger knows about a drop id: its entry (once complete) and the files that started loading. */
export interface DropIdState {
  readonly ledger?: Pick<DropLedger, 'sha256' | 'files' | 'fileSha256s'>;
  readonly claims: readonly DropFileClaim[];
}

export async function dropIdState(client: Neo4jClient, dropId: string): Promise<DropIdState> {
  const r = await client.query(
    `OPTIONAL MATCH (d:Drop {id: $id})
     WITH d LIMIT 1
     OPTIONAL MATCH (f:DropFile {drop: $id})
     RETURN d.sha256 AS sha256, d.files AS files, d.fileSha256s AS fileSha256s, collect({name: f.name, sha256: f.sha256}) AS claims`,
    { id: dropId },
    'READ',
  );
  const rec = r.records[0];
  const claims = ((rec?.get('claims') ?? []) as Array<{ name: string | null; sha256: string }>).filter((c): c is DropFileClaim => c.name !== null);
  const sha256 = rec?.get('sha256') as string | null | undefined;
  if (!sha256) return { claims };
  const fileSha256s = rec!.get('fileSha256s') as string[] | null;
  return { ledger: { sha256, files: rec!.get('files') as string[], ...(fileSha256s ? { fileSha256s } : {}) }, claims };
}

/**
 * Record that `dropId` loads `file` with this content, before the file's first batch; refuse
 * (EditedDropError, nothing written) when the id already loaded other content under that name.
 * MERGE on the unique key, so two concurrent ingests agree on one claim.
 */
export async function claimDropFile(client: Neo4jClient, dropId: string, file: DropFileClaim): Promise<void> {
  const r = await client.query(
    `MERGE (f:DropFile {key: $key})
     ON CREATE SET f.drop = $drop, f.name = $name, f.sha256 = $sha256, f.at = datetime()
     RETURN f.sha256 AS sha256`,
    { key: `${dropId}/${file.name}`, drop: dropId, name: file.name, sha256: file.sha256 },
  );
  if (r.records[0]?.get('sha256') !== file.sha256) throw new EditedDropError(dropId, [`${file.name} (changed)`]);
}

export async function isDropIngested(client: Neo4jClient, sha256: string): Promise<boolean> {
  const r = await client.query('MATCH (d:Drop {sha256: $sha256}) RETURN count(d) AS n', { sha256 }, 'READ');
  return toNum(r.records[0]?.get('n')) > 0;
}

/**
 * Write the ledger; returns false when the drop was already recorded (nothing changes then).
 * Another content already recorded under the same id is refused (EditedDropError); the unique
 * constraint on `Drop.id` makes that hold under concurrent ingests too.
 */
export async function recordDrop(client: Neo4jClient, d: DropLedger): Promise<boolean> {
  const refuse = (): EditedDropError => new EditedDropError(d.id, ['content differs from the ledger entry (written meanwhile)']);
  try {
    const r = await client.query(
      `OPTIONAL MATCH (other:Drop {id: $id}) WHERE other.sha256 <> $sha256
       WITH count(other) AS others
       CALL (others) {
         WITH others WHERE others = 0
         MERGE (d:Drop {sha256: $sha256})
         ON CREATE SET d.id = $id, d.ingestedAt = datetime(), d.rows = $rows, d.rejects = $rejects, d.files = $files,
           d.fileSha256s = $fileSha256s, d.created = true
         WITH d, coalesce(d.created, false) AS created
         REMOVE d.created
         RETURN created
       }
       RETURN others, created`,
      {
        sha256: d.sha256,
        id: d.id,
        rows: neo4j.int(d.rows),
        rejects: neo4j.int(d.rejects),
        files: [...d.files],
        fileSha256s: [...(d.fileSha256s ?? [])],
      },
    );
    const rec = r.records[0];
    if (rec === undefined || toNum(rec.get('others')) > 0) throw refuse();
    return rec.get('created') === true;
  } catch (err) {
    // A concurrent ingest of other content under this id committed first.
    if ((err as { code?: string }).code === 'Neo.ClientError.Schema.ConstraintValidationFailed') throw refuse();
    throw err;
  }
}

/** True when the whole file was loaded by a bulk load (its `<sha256>/<kind>/bulk` IngestBatch marker). */
export async function isFileBulkLoaded(client: Neo4jClient, bulkBatchId: string): Promise<boolean> {
  const r = await client.query('MATCH (b:IngestBatch {id: $id}) RETURN count(b) AS n', { id: bulkBatchId }, 'READ');
  return toNum(r.records[0]?.get('n')) > 0;
}

/** How a file was cut into batches; a resumed file must be cut the same way. */
export interface BatchLayout {
  readonly batchSize: number;
  /** Activity only: rows grouped by account before cutting (see ActivityBuffer). */
  readonly bufferRows?: number;
}

/** Layout used by earlier (partial) runs of this file, if any: resuming must cut the same batches. */
export async function existingBatchLayout(client: Neo4jClient, batchIdPrefix: string): Promise<BatchLayout | undefined> {
  const r = await client.query(
    'MATCH (b:IngestBatch) WHERE b.id STARTS WITH $prefix RETURN b.batchSize AS s, b.bufferRows AS br LIMIT 1',
    { prefix: batchIdPrefix },
    'READ',
  );
  const rec = r.records[0];
  if (rec === undefined || rec.get('s') === null) return undefined;
  const br = rec.get('br');
  return { batchSize: toNum(rec.get('s')), ...(br === null ? {} : { bufferRows: toNum(br) }) };
}

export interface BatchMeta extends BatchLayout {
  /** `<drop sha256>/<file>/<batch number>` */
  readonly id: string;
  readonly rows: number;
}

/**
 * Write one batch and its IngestBatch marker in the same transaction (run it inside executeWrite).
 * Returns false when the marker already exists: the batch was committed before, so nothing is added
 * twice, whatever retried or resumed.
 */
export async function writeBatch(tx: ManagedTransaction, meta: BatchMeta, p: BatchParams): Promise<boolean> {
  // MERGE on the unique id, not read-then-CREATE: a concurrent ingest of the same file then waits
  // for the marker's lock and sees the batch committed, instead of failing with ConstraintValidationFailed.
  const marker = await tx.run(
    `MERGE (b:IngestBatch {id: $id})
     ON CREATE SET b.rows = $rows, b.batchSize = $bs, b.bufferRows = $br, b.at = datetime(), b.created = true
     WITH b, coalesce(b.created, false) AS created
     REMOVE b.created
     RETURN created`,
    {
      id: meta.id,
      rows: neo4j.int(meta.rows),
      bs: neo4j.int(meta.batchSize),
      br: meta.bufferRows === undefined ? null : neo4j.int(meta.bufferRows),
    },
  );
  if (marker.records[0]?.get('created') !== true) return false;
  switch (p.kind) {
    case 'accounts':
      await tx.run(ACCOUNTS, { rows: p.rows.map((r) => ({ ...r, c: neo4j.int(r.c as number) })) });
      break;
    case 'ip_addresses':
      await writeGroups(tx, IPS, p.groups, p.contended);
      await tx.run(SUBNETS, { subnets: (p.subnets ?? []).map((s) => ({ ...s, v: neo4j.int(s.v) })) });
      break;
    case 'payment_methods':
      await writeGroups(tx, PAYMENTS, p.groups, p.contended);
      break;
    case 'prompt_fingerprints':
      await writeGroups(tx, PROMPTS, p.groups, p.contended);
      break;
    case 'activity':
      await writeGroups(tx, ACTIVITY, p.groups, p.contended);
      break;
  }
  return true;
}

/** Uncontended relationships first, then the contended ones (see batchParams), in one transaction. */
async function writeGroups(tx: ManagedTransaction, cypher: string, groups: readonly AccountGroup[], contended: readonly AccountGroup[]): Promise<void> {
  if (groups.length > 0) await tx.run(cypher, { groups: intGroups(groups) });
  if (contended.length > 0) await tx.run(cypher, { groups: intGroups(contended) });
}

const INT_FIELDS = ['fs', 'ls', 'o', 'n', 'v'] as const;

function intGroups(groups: readonly AccountGroup[]): unknown[] {
  return groups.map((g) => ({
    a: g.a,
    rels: g.rels.map((r) => {
      const out: RelParam = { ...r };
      for (const f of INT_FIELDS) if (typeof out[f] === 'number') out[f] = neo4j.int(out[f] as number) as never;
      if (typeof out.k === 'number') out.k = neo4j.int(out.k) as never;
      return out;
    }),
  }));
}

// A relationship's first write sets its properties (ON CREATE); later writes merge them: firstSeen =
// min, lastSeen = max, counts added. Most relationships are written once, and skipping the merge
// expressions for them measured ~8% more prompt rows per second (Neo4j's CPU is the ingest limit).
const SEEN_CREATE = 'x.firstSeen = datetime({epochMillis: r.fs}), x.lastSeen = datetime({epochMillis: r.ls}), x.observations = r.o';
const SEEN_MATCH = `
      x.firstSeen = CASE WHEN x.firstSeen IS NULL OR datetime({epochMillis: r.fs}) < x.firstSeen THEN datetime({epochMillis: r.fs}) ELSE x.firstSeen END,
      x.lastSeen = CASE WHEN x.lastSeen IS NULL OR datetime({epochMillis: r.ls}) > x.lastSeen THEN datetime({epochMillis: r.ls}) ELSE x.lastSeen END,
      x.observations = coalesce(x.observations, 0) + r.o`;

const ACCOUNTS = `
  UNWIND $rows AS r
  MERGE (a:Account {id: r.id})
  WITH a, r, datetime({epochMillis: r.c}) AS c
  SET a.createdAt = CASE WHEN a.createdAt IS NULL OR c < a.createdAt THEN c ELSE a.createdAt END,
      a.emailDomain = coalesce(r.ed, a.emailDomain),
      a.country = coalesce(r.co, a.country),
      a.verified = coalesce(r.ve, a.verified),
      a.plan = coalesce(r.pl, a.plan)`;

const PAYMENTS = `
  UNWIND $groups AS g
  MERGE (a:Account {id: g.a})
  WITH a, g UNWIND g.rels AS r
  MERGE (p:PaymentMethod {id: r.k})
  SET p.cardBin = coalesce(r.bin, p.cardBin), p.cardCountry = coalesce(r.cc, p.cardCountry)
  MERGE (a)-[x:PAID_WITH]->(p)
  ON CREATE SET ${SEEN_CREATE}
  ON MATCH SET ${SEEN_MATCH}`;

const IPS = `
  UNWIND $groups AS g
  MERGE (a:Account {id: g.a})
  WITH a, g UNWIND g.rels AS r
  MERGE (ip:IP {address: r.k})
  SET ip.version = r.v, ip.asn = coalesce(r.asn, ip.asn), ip.isProxy = coalesce(r.proxy, ip.isProxy)
  MERGE (a)-[x:CONNECTED_FROM]->(ip)
  ON CREATE SET x.requests = r.n, ${SEEN_CREATE}
  ON MATCH SET x.requests = coalesce(x.requests, 0) + r.n, ${SEEN_MATCH}`;

const SUBNETS = `
  UNWIND $subnets AS s
  MERGE (n:Subnet {cidr: s.cidr})
  SET n.version = s.v
  WITH n, s UNWIND s.ips AS addr
  MATCH (ip:IP {address: addr})
  MERGE (ip)-[:IN_SUBNET]->(n)`;

const PROMPTS = `
  UNWIND $groups AS g
  MERGE (a:Account {id: g.a})
  WITH a, g UNWIND g.rels AS r
  MERGE (p:PromptFingerprint {id: r.k})
  ON CREATE SET p.kind = coalesce(r.fk, 'template'), p.markers = CASE WHEN size(r.mk) > 0 THEN [m IN ['cot', 'rubric'] WHERE m IN r.mk] END,
      p.capability = r.cap
  ON MATCH SET p.kind = coalesce(r.fk, p.kind, 'template'),
      p.markers = CASE WHEN size(r.mk) > 0 THEN [m IN ['cot', 'rubric'] WHERE m IN r.mk OR m IN coalesce(p.markers, [])] ELSE p.markers END,
      p.capability = coalesce(r.cap, p.capability)
  MERGE (a)-[x:SENT]->(p)
  ON CREATE SET x.count = r.n, ${SEEN_CREATE}
  ON MATCH SET x.count = coalesce(x.count, 0) + r.n, ${SEEN_MATCH}`;

// Hourly activity lives on the account as two parallel lists, `activeHours` (epoch hours, ascending,
// distinct) and `hourlyRequests`: one node write per account per batch instead of one relationship
// per active hour (1.3M relationships on a 70k-account drop, all crowding the same few hundred Hour
// nodes). A batch's hours are merged into the stored lists, requests summed per hour. The SET/REMOVE
// takes the account's write lock before the lists are read: under read-committed isolation a
// read-then-write without that lock can lose a concurrent writer's update (Neo4j Operations Manual,
// "Concurrent data access: lost updates").
const ACTIVITY = `
  UNWIND $groups AS g
  MERGE (a:Account {id: g.a})
  SET a._lock = true
  REMOVE a._lock
  WITH a, g, coalesce(a.activeHours, []) AS oh, coalesce(a.hourlyRequests, []) AS orq
  CALL (g, oh, orq) {
    CALL (g, oh, orq) {
      UNWIND range(0, size(oh) - 1) AS i
      RETURN oh[i] AS h, orq[i] AS n
      UNION ALL
      UNWIND g.rels AS r
      RETURN r.k AS h, r.n AS n
    }
    WITH h, sum(n) AS n ORDER BY h
    RETURN collect(h) AS hs, collect(n) AS ns
  }
  SET a.activeHours = hs, a.hourlyRequests = ns`;
