import type { ManagedTransaction } from 'neo4j-driver';
import { NODE_PROPS, type AccountGroup, type BatchParams, type NodeParam, type RelParam } from '../loaders/batch-params.js';
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

export interface WriteOptions {
  /**
   * Write through ringscope's Neo4j procedure `ringscope.ingest` (neo4j-launcher/procedures/), the
   * same merge rules as the Cypher statements below without Cypher's per-row runtime; only where
   * the server has it (hasIngestProcedure). @defaultValue false
   */
  readonly procedure?: boolean;
  /**
   * Nodes that an existence read does not find are CREATEd with their one relationship in a single
   * pass, instead of MERGEd (see writeNew). If a concurrent writer creates one of them first, the
   * write fails with ConstraintValidationFailed (isCreateConflict) and the batch must be retried
   * with `createNew: false`, which MERGEs everything. @defaultValue true
   */
  readonly createNew?: boolean;
}

const WRITE_DEFAULTS = { createNew: true, procedure: false } as const;

/** The procedure's name, as `SHOW PROCEDURES` lists it. */
export const INGEST_PROCEDURE = 'ringscope.ingest';

/** Whether the server has ringscope's ingest procedure (loaded from its plugin directory). */
export async function hasIngestProcedure(client: Neo4jClient): Promise<boolean> {
  const r = await client.query('SHOW PROCEDURES YIELD name WHERE name = $name RETURN count(*) AS n', { name: INGEST_PROCEDURE }, 'READ');
  return toNum(r.records[0]?.get('n')) > 0;
}

/**
 * The files of the drops whose ledger entries (`id@sha256`) are in `$drops`, as `files`. Ingest
 * batches are keyed by file content (`<file sha256>/<kind>/<n>`), so these name the batches those
 * drops wrote (BATCH_FILE).
 */
export const DROP_FILES =
  "MATCH (d:Drop) WHERE d.id + '@' + d.sha256 IN $drops UNWIND coalesce(d.fileSha256s, []) AS f WITH collect(DISTINCT f) AS files";
/** The file an IngestBatch `b` was written from: the sha256 its id starts with. */
export const BATCH_FILE = "split(b.id, '/')[0]";

/**
 * Remove the account lists of the ingest batches of `drops`' files (ledger entries `id@sha256`).
 * Call it once a run that read those drops has finished: every later incremental run starts from
 * the snapshot of the newest finished run, which holds them, and reads only the batches of files no
 * drop of its snapshot holds (docs/incremental.md, "The delta"), so these lists are never read again.
 * Without this every account id of every drop would stay in the store twice. Returns how many batches.
 */
export async function releaseBatchAccounts(client: Neo4jClient, drops: readonly string[]): Promise<number> {
  const res = await client.query(
    `${DROP_FILES} MATCH (b:IngestBatch) WHERE b.accounts IS NOT NULL AND ${BATCH_FILE} IN files REMOVE b.accounts RETURN count(b) AS n`,
    { drops: [...drops] },
    'WRITE',
  );
  return toNum(res.records[0]?.get('n'));
}

/** The error a `createNew` write fails with when another writer created one of its nodes first (retry with `createNew: false`). */
export function isCreateConflict(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'Neo.ClientError.Schema.ConstraintValidationFailed';
}

/**
 * Write one batch and its IngestBatch marker in the same transaction (run it inside executeWrite).
 * Returns false when the marker already exists: the batch was committed before, so nothing is added
 * twice, whatever retried or resumed.
 */
export async function writeBatch(tx: ManagedTransaction, meta: BatchMeta, p: BatchParams, options: WriteOptions = {}): Promise<boolean> {
  const createNew = options.createNew ?? WRITE_DEFAULTS.createNew;
  // MERGE on the unique id, not read-then-CREATE: a concurrent ingest of the same file then waits
  // for the marker's lock and sees the batch committed, instead of failing with ConstraintValidationFailed.
  const marker = await tx.run(
    `MERGE (b:IngestBatch {id: $id})
     ON CREATE SET b.rows = $rows, b.batchSize = $bs, b.bufferRows = $br, b.at = datetime(), b.accounts = $accounts, b.created = true
     WITH b, coalesce(b.created, false) AS created
     REMOVE b.created
     RETURN created`,
    {
      id: meta.id,
      rows: neo4j.int(meta.rows),
      bs: neo4j.int(meta.batchSize),
      br: meta.bufferRows === undefined ? null : neo4j.int(meta.bufferRows),
      accounts: batchAccounts(p),
    },
  );
  if (marker.records[0]?.get('created') !== true) return false;
  if (options.procedure ?? WRITE_DEFAULTS.procedure) {
    await writeWithProcedure(tx, p);
    return true;
  }
  switch (p.kind) {
    case 'accounts':
      await writeAccounts(tx, p.rows, createNew);
      break;
    case 'ip_addresses': {
      const created = await writeKeyed(tx, IDENTIFIERS.ip_addresses, p.nodes, p.groups, p.contendedNodes, p.contended, createNew);
      const subnets = (p.subnets ?? []).map((s) => ({
        cidr: s.cidr,
        v: neo4j.int(s.v),
        fresh: s.ips.filter((ip) => created.has(ip)),
        ips: s.ips.filter((ip) => !created.has(ip)),
      }));
      await tx.run(SUBNETS, { subnets });
      break;
    }
    case 'payment_methods':
      await writeKeyed(tx, IDENTIFIERS.payment_methods, p.nodes, p.groups, p.contendedNodes, p.contended, createNew);
      break;
    case 'prompt_fingerprints':
      await writeKeyed(tx, IDENTIFIERS.prompt_fingerprints, p.nodes, p.groups, p.contendedNodes, p.contended, createNew);
      break;
    case 'activity':
      await writeGroups(tx, ACTIVITY, p.groups, p.contended);
      break;
  }
  return true;
}

/**
 * The accounts a batch writes, sorted: kept on its IngestBatch marker so that an incremental
 * detection run reads back only what the drops since its snapshot touched (docs/incremental.md, "The delta").
 */
export function batchAccounts(p: BatchParams): string[] {
  const ids = new Set<string>();
  if (p.kind === 'accounts') for (const r of p.rows) ids.add(r.id as string);
  else for (const gs of [p.groups, p.contended]) for (const g of gs) ids.add(g.a);
  return [...ids].sort();
}

const PROCEDURE_CALL = `CALL ${INGEST_PROCEDURE}($kind, $part) YIELD nodesCreated RETURN nodesCreated`;

/**
 * The batch through `ringscope.ingest`, in one call: the uncontended part, then the contended one
 * (see batchParams), then IP subnets. Values travel as parallel lists, plain JS numbers included
 * (the procedure reads them as integers).
 */
async function writeWithProcedure(tx: ManagedTransaction, p: BatchParams): Promise<void> {
  let part: Record<string, unknown>;
  if (p.kind === 'accounts') {
    part = {
      id: p.rows.map((r) => r.id),
      c: p.rows.map((r) => r.c),
      ed: p.rows.map((r) => r.ed),
      co: p.rows.map((r) => r.co),
      ve: p.rows.map((r) => r.ve),
      pl: p.rows.map((r) => r.pl),
    };
  } else if (p.kind === 'activity') {
    part = { parts: [p.groups, p.contended].map((gs) => ({ a: gs.map((g) => g.a), h: gs.map((g) => g.rels.map((r) => r.k)), n: gs.map((g) => g.rels.map((r) => r.n)) })) };
  } else {
    const props = NODE_PROPS[p.kind];
    const columns = (nodes: readonly NodeParam[], groups: readonly AccountGroup[]): Record<string, unknown> => {
      const c = { a: [] as unknown[], size: [] as unknown[], k: [] as unknown[], fs: [] as unknown[], ls: [] as unknown[], o: [] as unknown[], n: [] as unknown[] };
      for (const g of groups) {
        c.a.push(g.a);
        c.size.push(g.rels.length);
        for (const r of g.rels) {
          c.k.push(r.k);
          c.fs.push(r.fs);
          c.ls.push(r.ls);
          c.o.push(r.o);
          c.n.push(r.n ?? 0);
        }
      }
      const out: Record<string, unknown> = { ...c, nk: nodes.map((n) => n.k) };
      for (const prop of props) out[prop] = nodes.map((n) => n[prop] ?? null);
      return out;
    };
    part = { parts: [columns(p.nodes, p.groups), columns(p.contendedNodes, p.contended)] };
    if (p.kind === 'ip_addresses') {
      const subnets = p.subnets ?? [];
      Object.assign(part, { cidr: subnets.map((s) => s.cidr), sv: subnets.map((s) => s.v), sips: subnets.map((s) => s.ips.length), ip: subnets.flatMap((s) => s.ips) });
    }
  }
  await tx.run(PROCEDURE_CALL, { kind: p.kind, part });
}

/**
 * Keys of `keys` that no node of the statement's label holds yet, as seen by this transaction (an
 * index seek each, read-only: no lock is taken, which is why a CREATE of them can still conflict).
 */
async function missingKeys(tx: ManagedTransaction, existsCypher: string, keys: ReadonlyArray<string | number>): Promise<Set<string | number>> {
  const missing = new Set<string | number>(keys);
  if (keys.length === 0) return missing;
  const res = await tx.run(existsCypher, { keys: keys.map((k) => (typeof k === 'number' ? neo4j.int(k) : k)) });
  for (const r of res.records) missing.delete(keyOf(r.get('k')) as string | number);
  return missing;
}

/** Accounts: the ones not in the store yet are CREATEd with their properties, the others MERGEd (createNew, see WriteOptions). */
async function writeAccounts(tx: ManagedTransaction, rows: ReadonlyArray<Record<string, unknown>>, createNew: boolean): Promise<void> {
  const params: Array<Record<string, unknown>> = rows.map((r) => ({ ...r, c: neo4j.int(r.c as number) }));
  if (!createNew) {
    await tx.run(ACCOUNTS, { rows: params });
    return;
  }
  const missing = await missingKeys(tx, ACCOUNT_EXISTS, [...new Set(rows.map((r) => r.id as string))]);
  const fresh: typeof params = [];
  const known: typeof params = [];
  // An id twice in the batch (not produced by batchParams, which merges them) is MERGEd, never created twice.
  const counted = new Map<unknown, number>();
  for (const r of params) counted.set(r.id, (counted.get(r.id) ?? 0) + 1);
  for (const r of params) (missing.has(r.id as string) && counted.get(r.id) === 1 ? fresh : known).push(r);
  if (fresh.length > 0) await tx.run(ACCOUNTS_CREATE, { rows: fresh });
  if (known.length > 0) await tx.run(ACCOUNTS, { rows: known });
}

/**
 * An identifier kind in two steps per part (uncontended, then contended: see batchParams): its nodes
 * once each, then its relationships. A relationship to a node this transaction created cannot exist
 * yet (no other transaction sees the node before commit, and the batch holds each (account, key)
 * pair once), so it is CREATEd, without MERGE's lock-and-expand check; the others are MERGEd.
 * Nodes come back by element id, so the relationship step does not seek the key index again.
 */
async function writeKeyed(
  tx: ManagedTransaction,
  q: IdentifierStatements,
  nodes: readonly NodeParam[],
  groups: readonly AccountGroup[],
  contendedNodes: readonly NodeParam[],
  contended: readonly AccountGroup[],
  createNew: boolean,
): Promise<Set<string | number>> {
  let created = new Set<string | number>();
  const parts: Array<readonly [readonly NodeParam[], readonly AccountGroup[]]> = [
    [nodes, groups],
    [contendedNodes, contended],
  ];
  if (createNew && groups.length > 0) {
    const rest = await writeNew(tx, q, nodes, groups);
    created = rest.created;
    parts[0] = [rest.nodes, rest.groups];
  }
  for (const [ns, gs] of parts) {
    if (gs.length === 0) continue;
    const res = await tx.run(q.nodes, { nodes: ns.map(intNode) });
    const ids = new Map<unknown, { e: string; created: boolean }>();
    for (const r of res.records) ids.set(keyOf(r.get('k')), { e: r.get('e') as string, created: r.get('created') === true });
    const fresh: AccountGroup[] = [];
    const known: AccountGroup[] = [];
    for (const g of gs) {
      const f: RelParam[] = [];
      const m: RelParam[] = [];
      for (const rel of g.rels) {
        const id = ids.get(rel.k)!;
        // Node properties were written by the node step; the relationship needs only its own.
        const own: RelParam = { k: rel.k, fs: rel.fs, ls: rel.ls, o: rel.o, e: id.e };
        if (rel.n !== undefined) own.n = rel.n;
        (id.created ? f : m).push(own);
      }
      if (f.length > 0) fresh.push({ a: g.a, rels: f });
      if (m.length > 0) known.push({ a: g.a, rels: m });
    }
    if (fresh.length > 0) await tx.run(q.create, { groups: fresh });
    if (known.length > 0) await tx.run(q.merge, { groups: known });
  }
  return created;
}

/**
 * The uncontended part's keys that one relationship of the batch uses and the store does not hold
 * yet: each node is CREATEd together with that relationship in one row of one statement. Against a
 * MERGE per node, a returned element id per node and a second statement that looks each node up
 * again to attach its relationship, that is one index seek (the existence read) and one node and
 * one relationship record written per pair; LOAD CSV does a locking MERGE seek for the account,
 * the node and the relationship of every row. Returns what is left for the MERGE path.
 */
async function writeNew(
  tx: ManagedTransaction,
  q: IdentifierStatements,
  nodes: readonly NodeParam[],
  groups: readonly AccountGroup[],
): Promise<{ created: Set<string | number>; nodes: NodeParam[]; groups: AccountGroup[] }> {
  const uses = new Map<string | number, number>();
  for (const g of groups) for (const r of g.rels) uses.set(r.k, (uses.get(r.k) ?? 0) + 1);
  const single = [...uses.entries()].filter(([, n]) => n === 1).map(([k]) => k);
  const created = await missingKeys(tx, q.exists, single);
  const byKey = new Map<string | number, NodeParam>();
  for (const n of nodes) byKey.set(n.k, n);
  const fresh: AccountGroup[] = [];
  const rest: AccountGroup[] = [];
  for (const g of groups) {
    const f: RelParam[] = [];
    const m: RelParam[] = [];
    for (const rel of g.rels) {
      if (!created.has(rel.k)) {
        m.push(rel);
        continue;
      }
      // The node's properties (merged as nodeParams merges them) travel with its one relationship.
      const own: RelParam = { ...intNode(byKey.get(rel.k)!), fs: rel.fs, ls: rel.ls, o: rel.o };
      if (rel.n !== undefined) own.n = rel.n;
      f.push(own);
    }
    if (f.length > 0) fresh.push({ a: g.a, rels: f });
    if (m.length > 0) rest.push({ a: g.a, rels: m });
  }
  if (fresh.length > 0) await tx.run(q.createNew, { groups: fresh });
  return { created, nodes: nodes.filter((n) => !created.has(n.k)), groups: rest };
}

const keyOf = (k: unknown): unknown => (neo4j.isInt(k) ? (k as { toNumber(): number }).toNumber() : k);

function intNode(n: NodeParam): NodeParam {
  return typeof n.v === 'number' ? { ...n, v: neo4j.int(n.v) } : n;
}

/** Uncontended accounts first, then the contended ones (see batchParams), in one transaction. */
async function writeGroups(tx: ManagedTransaction, cypher: string, groups: readonly AccountGroup[], contended: readonly AccountGroup[]): Promise<void> {
  if (groups.length > 0) await tx.run(cypher, { groups: hourLists(groups) });
  if (contended.length > 0) await tx.run(cypher, { groups: hourLists(contended) });
}

/**
 * An account's activity as two parallel lists (hours ascending, as batchParams sorts them, and
 * requests), plain numbers made integers in Cypher: two lists a group instead of a map per hour
 * (1.3M on a 70k-account drop) to encode, send and decode.
 */
function hourLists(groups: readonly AccountGroup[]): unknown[] {
  return groups.map((g) => ({ a: g.a, h: g.rels.map((r) => r.k), n: g.rels.map((r) => r.n) }));
}

// A relationship's first write sets its properties (ON CREATE); later writes merge them: firstSeen =
// min, lastSeen = max, counts added. Most relationships are written once, and skipping the merge
// expressions for them measured ~8% more prompt rows per second (Neo4j's CPU is the ingest limit).
// Relationship numbers travel as plain JS numbers (Bolt floats) and become integers in Cypher:
// building a driver Integer for each of ~4 values per relationship cost more client CPU than the
// toInteger calls cost Neo4j (measured on prompt fingerprints, BENCHMARKS.md).
const SEEN_CREATE =
  'x.firstSeen = datetime({epochMillis: toInteger(r.fs)}), x.lastSeen = datetime({epochMillis: toInteger(r.ls)}), x.observations = toInteger(r.o)';
const SEEN_MATCH = `
      x.firstSeen = CASE WHEN x.firstSeen IS NULL OR datetime({epochMillis: toInteger(r.fs)}) < x.firstSeen THEN datetime({epochMillis: toInteger(r.fs)}) ELSE x.firstSeen END,
      x.lastSeen = CASE WHEN x.lastSeen IS NULL OR datetime({epochMillis: toInteger(r.ls)}) > x.lastSeen THEN datetime({epochMillis: toInteger(r.ls)}) ELSE x.lastSeen END,
      x.observations = coalesce(x.observations, 0) + toInteger(r.o)`;

const ACCOUNT_EXISTS = 'UNWIND $keys AS k MATCH (a:Account {id: k}) RETURN k';

// Accounts the existence read did not find (writeAccounts): the MERGE below, on a node without properties.
const ACCOUNTS_CREATE = `
  UNWIND $rows AS r
  CREATE (a:Account {id: r.id})
  SET a.createdAt = datetime({epochMillis: r.c}), a.emailDomain = r.ed, a.country = r.co, a.verified = r.ve, a.plan = r.pl`;

const ACCOUNTS = `
  UNWIND $rows AS r
  MERGE (a:Account {id: r.id})
  WITH a, r, datetime({epochMillis: r.c}) AS c
  SET a.createdAt = CASE WHEN a.createdAt IS NULL OR c < a.createdAt THEN c ELSE a.createdAt END,
      a.emailDomain = coalesce(r.ed, a.emailDomain),
      a.country = coalesce(r.co, a.country),
      a.verified = coalesce(r.ve, a.verified),
      a.plan = coalesce(r.pl, a.plan)`;

interface IdentifierStatements {
  /** $keys → the keys a node already holds. */
  readonly exists: string;
  /** $groups of relationships each with its node's properties, for keys no node holds yet: node and relationship CREATEd together. */
  readonly createNew: string;
  /** $nodes → one row per node: k, e (element id), created (by this statement). */
  readonly nodes: string;
  /** $groups of relationships whose key node this transaction created. */
  readonly create: string;
  /** $groups of relationships to nodes that existed before. */
  readonly merge: string;
}

/**
 * MERGE a node by key, set its properties on create, and on match only when a value would change
 * (a SET takes the node's write lock until commit, and a popular template or shared IP would then
 * serialise every writer for a no-op). `_fresh` marks what this statement created; it is removed in
 * the same statement, so it never reaches the store.
 */
function nodeStatement(label: string, key: string, onCreate: string, changes: string, onMatch: string): string {
  return `
  UNWIND $nodes AS n
  MERGE (p:${label} {${key}: n.k})
  ON CREATE SET ${onCreate}, p._fresh = true
  WITH n, p, p._fresh IS NOT NULL AS created
  FOREACH (_ IN CASE WHEN created THEN [1] END | REMOVE p._fresh)
  WITH n, p, created
  CALL (n, p, created) {
    WITH n, p WHERE NOT created AND (${changes})
    SET p._lock = true
    REMOVE p._lock
    WITH n, p
    SET ${onMatch}
  }
  RETURN n.k AS k, elementId(p) AS e, created`;
}

function relStatements(type: string, label: string, onCreate: string, onMatch: string): Pick<IdentifierStatements, 'create' | 'merge'> {
  const head = `
  UNWIND $groups AS g
  MERGE (a:Account {id: g.a})
  WITH a, g UNWIND g.rels AS r
  MATCH (p:${label}) WHERE elementId(p) = r.e`;
  return {
    create: `${head}
  CREATE (a)-[x:${type}]->(p)
  SET ${onCreate}`,
    merge: `${head}
  MERGE (a)-[x:${type}]->(p)
  ON CREATE SET ${onCreate}
  ON MATCH SET ${onMatch}`,
  };
}

const IDENTIFIERS: Readonly<Record<'payment_methods' | 'ip_addresses' | 'prompt_fingerprints', IdentifierStatements>> = {
  payment_methods: keyedStatements(
    'PaymentMethod',
    'id',
    {
      create: 'p.cardBin = n.bin, p.cardCountry = n.cc',
      changes: "(n.bin IS NOT NULL AND n.bin <> coalesce(p.cardBin, '')) OR (n.cc IS NOT NULL AND n.cc <> coalesce(p.cardCountry, ''))",
      match: 'p.cardBin = coalesce(n.bin, p.cardBin), p.cardCountry = coalesce(n.cc, p.cardCountry)',
    },
    'PAID_WITH',
    { create: SEEN_CREATE, match: SEEN_MATCH },
  ),
  ip_addresses: keyedStatements(
    'IP',
    'address',
    {
      create: 'p.version = n.v, p.asn = n.asn, p.isProxy = n.proxy',
      changes:
        "p.version IS NULL OR p.version <> n.v OR (n.asn IS NOT NULL AND n.asn <> coalesce(p.asn, '')) OR (n.proxy IS NOT NULL AND (p.isProxy IS NULL OR n.proxy <> p.isProxy))",
      match: 'p.version = n.v, p.asn = coalesce(n.asn, p.asn), p.isProxy = coalesce(n.proxy, p.isProxy)',
    },
    'CONNECTED_FROM',
    { create: `x.requests = toInteger(r.n), ${SEEN_CREATE}`, match: `x.requests = coalesce(x.requests, 0) + toInteger(r.n), ${SEEN_MATCH}` },
  ),
  prompt_fingerprints: keyedStatements(
    'PromptFingerprint',
    'id',
    {
      create:
        "p.kind = coalesce(n.fk, 'template'), p.markers = CASE WHEN size(n.mk) > 0 THEN [m IN ['cot', 'rubric'] WHERE m IN n.mk] END, p.capability = n.cap",
      changes:
        "p.kind IS NULL OR (n.fk IS NOT NULL AND n.fk <> p.kind) OR any(m IN n.mk WHERE NOT m IN coalesce(p.markers, [])) OR (n.cap IS NOT NULL AND n.cap <> coalesce(p.capability, ''))",
      match: `p.kind = coalesce(n.fk, p.kind, 'template'),
      p.markers = CASE WHEN size(n.mk) > 0 THEN [m IN ['cot', 'rubric'] WHERE m IN n.mk OR m IN coalesce(p.markers, [])] ELSE p.markers END,
      p.capability = coalesce(n.cap, p.capability)`,
    },
    'SENT',
    { create: `x.count = toInteger(r.n), ${SEEN_CREATE}`, match: `x.count = coalesce(x.count, 0) + toInteger(r.n), ${SEEN_MATCH}` },
  ),
};

/** Every statement of one identifier kind, from its node and relationship SET fragments (`n`: node parameter, `p`: node, `r`: relationship parameter, `x`: relationship). */
function keyedStatements(
  label: string,
  key: string,
  node: { readonly create: string; readonly changes: string; readonly match: string },
  type: string,
  rel: { readonly create: string; readonly match: string },
): IdentifierStatements {
  return {
    exists: `UNWIND $keys AS k MATCH (p:${label} {${key}: k}) RETURN k`,
    nodes: nodeStatement(label, key, node.create, node.changes, node.match),
    ...relStatements(type, label, rel.create, rel.match),
    // r carries the node's properties too (writeNew); `n` names it for the node fragment.
    createNew: `
  UNWIND $groups AS g
  MERGE (a:Account {id: g.a})
  WITH a, g UNWIND g.rels AS r
  WITH a, r, r AS n
  CREATE (p:${label} {${key}: r.k})
  SET ${node.create}
  CREATE (a)-[x:${type}]->(p)
  SET ${rel.create}`,
  };
}

// `fresh`: IPs this transaction created (writeNew), whose IN_SUBNET cannot exist yet; `ips`: the others.
const SUBNETS = `
  UNWIND $subnets AS s
  MERGE (n:Subnet {cidr: s.cidr})
  SET n.version = s.v
  WITH n, s
  CALL (n, s) {
    UNWIND s.fresh AS addr
    MATCH (ip:IP {address: addr})
    CREATE (ip)-[:IN_SUBNET]->(n)
  }
  CALL (n, s) {
    UNWIND s.ips AS addr
    MATCH (ip:IP {address: addr})
    MERGE (ip)-[:IN_SUBNET]->(n)
  }`;

// Hourly activity lives on the account as two parallel lists, `activeHours` (epoch hours, ascending,
// distinct) and `hourlyRequests`: one node write per account per batch instead of one relationship
// per active hour (1.3M relationships on a 70k-account drop, all crowding the same few hundred Hour
// nodes). A batch's hours are merged into the stored lists, requests summed per hour; an account
// without lists yet takes the batch's as they are (already sorted and summed). The SET/REMOVE
// takes the account's write lock before the lists are read: under read-committed isolation a
// read-then-write without that lock can lose a concurrent writer's update (Neo4j Operations Manual,
// "Concurrent data access: lost updates").
const ACTIVITY = `
  UNWIND $groups AS g
  MERGE (a:Account {id: g.a})
  SET a._lock = true
  REMOVE a._lock
  WITH a, g, a.activeHours AS oh, coalesce(a.hourlyRequests, []) AS orq
  CALL (a, g, oh) {
    WITH a, g WHERE oh IS NULL
    SET a.activeHours = [h IN g.h | toInteger(h)], a.hourlyRequests = [n IN g.n | toInteger(n)]
  }
  CALL (a, g, oh, orq) {
    WITH a, g, oh, orq WHERE oh IS NOT NULL
    CALL (g, oh, orq) {
      CALL (g, oh, orq) {
        UNWIND range(0, size(oh) - 1) AS i
        RETURN oh[i] AS h, orq[i] AS n
        UNION ALL
        UNWIND range(0, size(g.h) - 1) AS i
        RETURN toInteger(g.h[i]) AS h, toInteger(g.n[i]) AS n
      }
      WITH h, sum(n) AS n ORDER BY h
      RETURN collect(h) AS hs, collect(n) AS ns
    }
    SET a.activeHours = hs, a.hourlyRequests = ns
  }`;
