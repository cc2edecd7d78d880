import fs from 'node:fs';
import path from 'node:path';
import type { DropRef } from './drop.js';
import type { BulkGraph, RelColumns } from './bulk-graph.js';

/**
 * Writes a BulkGraph as the CSV files of Neo4j's offline importer (`neo4j-admin database import
 * full`), in the header format of the Neo4j Operations Manual ("Import: CSV header format"):
 * `:ID(group)` / `:START_ID(group)` / `:END_ID(group)` columns with integer ids (`--id-type=integer`),
 * typed property columns (`datetime`, `long`, `boolean`, `long[]`, `string[]` with `;`), every
 * string quoted with `"` and inner quotes doubled. An empty cell means "no property", as an absent
 * value leaves no property in the transactional ingest. The resulting store is the one
 * docs/neo4j-model.md describes, ledger included.
 */

/** One importer input: `--nodes=<label>=<file>` or `--relationships=<type>=<file>`. */
export interface ImportInput {
  readonly kind: 'nodes' | 'relationships';
  /** Label (nodes) or relationship type. */
  readonly name: string;
  readonly file: string;
  readonly rows: number;
}

/** The drop's ledger entries, written as nodes of the import (see docs/neo4j-model.md, Ledger). */
export interface BulkLedger {
  readonly drop: DropRef;
  readonly rows: number;
  readonly rejects: number;
  /** Valid rows per file name. */
  readonly fileRows: ReadonlyMap<string, number>;
  readonly ingestedAt: number;
}

/** Buffered, synchronous line writer: the importer input is written once, sequentially. */
class CsvFile {
  private fd: number;
  private buf: string[] = [];
  private bytes = 0;
  rows = 0;
  constructor(
    readonly file: string,
    header: string,
  ) {
    this.fd = fs.openSync(file, 'w', 0o600);
    this.line(header);
    this.rows = 0;
  }
  line(s: string): void {
    this.buf.push(s);
    this.bytes += s.length + 1;
    this.rows++;
    if (this.bytes > 1 << 22) this.flush();
  }
  private flush(): void {
    if (this.buf.length === 0) return;
    fs.writeSync(this.fd, this.buf.join('\n') + '\n');
    this.buf = [];
    this.bytes = 0;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** A quoted CSV string, or an empty cell for an absent value. */
function q(s: string | undefined): string {
  return s === undefined ? '' : `"${s.replaceAll('"', '""')}"`;
}

const DAY_MS = 86_400_000;
const dayPrefix = new Map<number, string>();
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * ISO-8601 UTC with milliseconds (`Date.toISOString`), which the importer stores as a DateTime at
 * offset Z. Two per relationship (40M at 1M accounts): the date part is cached per day and the time
 * part built from integers, so no Date object is made per value.
 */
export function iso(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefix.set(day, prefix);
  }
  let r = ms - day * DAY_MS;
  const milli = r % 1000;
  r = (r - milli) / 1000;
  const sec = r % 60;
  r = (r - sec) / 60;
  const min = r % 60;
  const hour = (r - min) / 60;
  return `${prefix}${pad2(hour)}:${pad2(min)}:${pad2(sec)}.${milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : milli}Z`;
}

function bool(v: boolean | undefined): string {
  return v === undefined ? '' : v ? 'true' : 'false';
}

/** Write every importer input for `g` (plus the ledger) into `dir`; returns the inputs. */
export function writeImportFiles(g: BulkGraph, ledger: BulkLedger, dir: string): ImportInput[] {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const inputs: ImportInput[] = [];
  const open = (kind: ImportInput['kind'], name: string, header: string): CsvFile => new CsvFile(path.join(dir, `${kind}-${name}.csv`), header);
  const done = (kind: ImportInput['kind'], name: string, f: CsvFile): void => {
    f.close();
    inputs.push({ kind, name, file: f.file, rows: f.rows });
  };

  const byAccount = g.activityByAccount();
  const acc = open('nodes', 'Account', ':ID(Account),id,createdAt:datetime,emailDomain,country,verified:boolean,plan,activeHours:long[],hourlyRequests:long[]');
  for (let a = 0; a < g.accounts.size; a++) {
    const c = g.accountCreatedAt.data[a]!;
    const from = byAccount.start[a]!;
    const to = byAccount.start[a + 1]!;
    const hours = to > from ? Array.from(byAccount.hours.subarray(from, to)).join(';') : '';
    const reqs = to > from ? Array.from(byAccount.requests.subarray(from, to)).join(';') : '';
    acc.line(
      `${a},${q(g.accounts.keys[a])},${Number.isNaN(c) ? '' : iso(c)},${q(g.accountEmailDomain[a])},${q(g.accountCountry[a])},` +
        `${bool(g.verifiedOf(a))},${q(g.accountPlan[a])},${hours},${reqs}`,
    );
  }
  done('nodes', 'Account', acc);

  const pm = open('nodes', 'PaymentMethod', ':ID(PaymentMethod),id,cardBin,cardCountry');
  for (let p = 0; p < g.payments.size; p++) pm.line(`${p},${q(g.payments.keys[p])},${q(g.paymentBin[p])},${q(g.paymentCountry[p])}`);
  done('nodes', 'PaymentMethod', pm);

  const ip = open('nodes', 'IP', ':ID(IP),address,version:long,asn,isProxy:boolean');
  for (let i = 0; i < g.ips.size; i++) ip.line(`${i},${q(g.ips.keys[i])},${g.ipVersion.data[i]},${q(g.ipAsn[i])},${bool(g.proxyOf(i))}`);
  done('nodes', 'IP', ip);

  const sn = open('nodes', 'Subnet', ':ID(Subnet),cidr,version:long');
  for (let s = 0; s < g.subnets.size; s++) sn.line(`${s},${q(g.subnets.keys[s])},${g.subnetVersion.data[s]}`);
  done('nodes', 'Subnet', sn);

  const fp = open('nodes', 'PromptFingerprint', ':ID(PromptFingerprint),id,kind,capability,markers:string[]');
  for (let p = 0; p < g.prompts.size; p++) {
    fp.line(`${p},${q(g.prompts.keys[p])},${g.kindOf(p)},${q(g.capabilityOf(p))},${g.markersOf(p).join(';')}`);
  }
  done('nodes', 'PromptFingerprint', fp);

  const inSubnet = open('relationships', 'IN_SUBNET', ':START_ID(IP),:END_ID(Subnet)');
  for (let i = 0; i < g.ips.size; i++) inSubnet.line(`${i},${g.ipSubnet.data[i]}`);
  done('relationships', 'IN_SUBNET', inSubnet);

  const seenHeader = 'firstSeen:datetime,lastSeen:datetime,observations:long';
  const rels = (type: string, target: string, cols: RelColumns, amount?: string): void => {
    const f = open('relationships', type, `:START_ID(Account),:END_ID(${target}),${seenHeader}${amount ? `,${amount}:long` : ''}`);
    for (let i = 0; i < cols.size; i++) {
      const base = `${cols.account.data[i]},${cols.target.data[i]},${iso(cols.firstSeen.data[i]!)},${iso(cols.lastSeen.data[i]!)},${cols.observations.data[i]}`;
      f.line(amount ? `${base},${cols.amount.data[i]}` : base);
    }
    done('relationships', type, f);
  };
  rels('PAID_WITH', 'PaymentMethod', g.paidWith);
  rels('CONNECTED_FROM', 'IP', g.connectedFrom, 'requests');
  rels('SENT', 'PromptFingerprint', g.sent, 'count');

  // Ledger: the Drop (re-ingesting this drop is then a no-op) and one IngestBatch per file marked
  // `bulk`, so a transactional ingest of an unchanged file of another drop skips it whole.
  const d = ledger.drop;
  const drop = open('nodes', 'Drop', ':ID(Drop),sha256,id,ingestedAt:datetime,rows:long,rejects:long,files:string[],fileSha256s:string[],bulk:boolean');
  drop.line(
    `0,${q(d.sha256)},${q(d.id)},${iso(ledger.ingestedAt)},${ledger.rows},${ledger.rejects},` +
      `${d.files.map((f) => f.name).join(';')},${d.files.map((f) => f.sha256).join(';')},true`,
  );
  done('nodes', 'Drop', drop);
  // The drop id's per-file claims, as a transactional ingest writes them (see claimDropFile).
  const claims = open('nodes', 'DropFile', ':ID(DropFile),key,drop,name,sha256,at:datetime');
  d.files.forEach((f, i) => claims.line(`${i},${q(`${d.id}/${f.name}`)},${q(d.id)},${q(f.name)},${f.sha256},${iso(ledger.ingestedAt)}`));
  done('nodes', 'DropFile', claims);
  const batches = open('nodes', 'IngestBatch', ':ID(IngestBatch),id,rows:long,at:datetime,bulk:boolean');
  const ids = new Set<string>();
  for (const f of d.files) {
    const id = bulkBatchId(f.sha256, f.kind);
    if (ids.has(id)) continue; // two byte-identical files of one kind: one marker (ids are unique)
    ids.add(id);
    batches.line(`${ids.size - 1},${q(id)},${ledger.fileRows.get(f.name) ?? 0},${iso(ledger.ingestedAt)},true`);
  }
  done('nodes', 'IngestBatch', batches);
  return inputs;
}

/** The IngestBatch id that marks a whole file as bulk-loaded. */
export function bulkBatchId(fileSha256: string, kind: string): string {
  return `${fileSha256}/${kind}/bulk`;
}
