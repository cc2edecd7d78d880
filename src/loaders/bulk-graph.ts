import { FINGERPRINT_KINDS, PROMPT_MARKERS } from '../vocabulary/index.js';
import { PairIndex } from '../graph/pair-index.js';
import type { Capability, FingerprintKind, PromptMarker } from '../graph/types.js';
import type { AccountRow, ActivityRow, IpRow, PaymentRow, PromptRow, Row } from './row-schemas.js';

/**
 * A whole drop aggregated in memory, in columns, for Neo4j's offline importer (bulk load). The
 * importer creates what it is given and merges nothing, so everything the transactional ingest
 * merges in Cypher (docs/neo4j-model.md) is merged here first, with the same rules:
 * - nodes once per key; an attribute keeps the last non-empty value seen;
 * - one relationship per (account, identifier): firstSeen min, lastSeen max, observations counted,
 *   requests/count summed; prompt markers united;
 * - activity: hours distinct and ascending per account, requests summed per hour.
 *
 * Rows are held as typed columns (no object per row): a 1M-account drop has ~37M rows, which as
 * JS objects would cost tens of GB and most of the time in GC. Keys are interned to dense ints.
 */

/** String → dense int. Splits over several Maps: one V8 Map holds at most 2^24 entries. */
export class Interner {
  private readonly maps: Array<Map<string, number>> = [new Map()];
  readonly keys: string[] = [];
  private static readonly SHARD = 1 << 23;

  get size(): number {
    return this.keys.length;
  }

  /** The key's index; a new key gets index `size` (as it was before the call). */
  intern(key: string): number {
    for (const m of this.maps) {
      const i = m.get(key);
      if (i !== undefined) return i;
    }
    let last = this.maps[this.maps.length - 1]!;
    if (last.size >= Interner.SHARD) this.maps.push((last = new Map()));
    const i = this.keys.length;
    last.set(key, i);
    this.keys.push(key);
    return i;
  }
}

/** A growable typed column (new cells are 0; callers set what they add). */
class Column<T extends Float64Array | Int32Array | Int8Array> {
  constructor(
    private readonly make: (n: number) => T,
    public data: T = make(1024),
  ) {}
  ensure(n: number): void {
    if (n <= this.data.length) return;
    let cap = this.data.length;
    while (cap < n) cap *= 2;
    const next = this.make(cap);
    next.set(this.data as never);
    this.data = next;
  }
}

const f64 = (n: number): Float64Array => new Float64Array(n);
const i32 = (n: number): Int32Array => new Int32Array(n);
const i8 = (n: number): Int8Array => new Int8Array(n);

// Pair keys pack (account, target) into one exact double for PairIndex: account < 2^26, target < 2^27 (53 bits).
const TARGET_SPAN = 2 ** 27;
const MAX_ACCOUNTS = 2 ** 26;

/** One relationship kind: (account, identifier) pairs with their merged properties. */
export class RelColumns {
  readonly index = new PairIndex();
  readonly account = new Column(i32);
  readonly target = new Column(i32);
  readonly firstSeen = new Column(f64);
  readonly lastSeen = new Column(f64);
  readonly observations = new Column(i32);
  /** requests (IP), count (prompt); unused for payment methods. */
  readonly amount = new Column(f64);

  get size(): number {
    return this.index.size;
  }

  add(account: number, target: number, firstSeen: number, lastSeen: number, amount: number): void {
    if (account >= MAX_ACCOUNTS || target >= TARGET_SPAN)
      throw new RangeError(`bulk load supports < ${MAX_ACCOUNTS} accounts and < ${TARGET_SPAN} keys per kind`);
    const before = this.index.size;
    const s = this.index.rowOf(account * TARGET_SPAN + target);
    if (this.index.size > before) {
      const n = s + 1;
      this.account.ensure(n);
      this.target.ensure(n);
      this.firstSeen.ensure(n);
      this.lastSeen.ensure(n);
      this.observations.ensure(n);
      this.amount.ensure(n);
      this.account.data[s] = account;
      this.target.data[s] = target;
      this.firstSeen.data[s] = firstSeen;
      this.lastSeen.data[s] = lastSeen;
      this.observations.data[s] = 1;
      this.amount.data[s] = amount;
      return;
    }
    if (firstSeen < this.firstSeen.data[s]!) this.firstSeen.data[s] = firstSeen;
    if (lastSeen > this.lastSeen.data[s]!) this.lastSeen.data[s] = lastSeen;
    this.observations.data[s]!++;
    this.amount.data[s]! += amount;
  }
}

const FP_KINDS: readonly FingerprintKind[] = FINGERPRINT_KINDS;
/** Marker bits, in the order the transactional ingest stores them. */
export const MARKER_ORDER: readonly PromptMarker[] = PROMPT_MARKERS;

/** Tri-state booleans in an Int8 column: -1 unknown. */
const UNKNOWN = -1;

export class BulkGraph {
  readonly accounts = new Interner();
  readonly accountCreatedAt = new Column(f64);
  readonly accountVerified = new Column(i8);
  readonly accountEmailDomain: Array<string | undefined> = [];
  readonly accountCountry: Array<string | undefined> = [];
  readonly accountPlan: Array<string | undefined> = [];

  readonly payments = new Interner();
  readonly paymentBin: Array<string | undefined> = [];
  readonly paymentCountry: Array<string | undefined> = [];
  readonly paidWith = new RelColumns();

  readonly ips = new Interner();
  readonly ipVersion = new Column(i8);
  readonly ipProxy = new Column(i8);
  readonly ipSubnet = new Column(i32);
  readonly ipAsn: Array<string | undefined> = [];
  readonly subnets = new Interner();
  readonly subnetVersion = new Column(i8);
  readonly connectedFrom = new RelColumns();

  readonly prompts = new Interner();
  /** Capability labels seen (an open vocabulary: any provider's labels). */
  readonly capabilities = new Interner();
  /** Index into capabilities, -1 none. */
  readonly promptCapability = new Column(i32);
  /** Index into FP_KINDS, -1 none given (stored as `template`, as the transactional ingest does). */
  readonly promptKind = new Column(i8);
  /** Bit i set: MARKER_ORDER[i]. */
  readonly promptMarkers = new Column(i8);
  readonly sent = new RelColumns();

  /** Activity as (account, epoch hour) → requests. */
  readonly activity = new RelColumns();

  add(row: Row): void {
    switch (row.kind) {
      case 'accounts':
        return this.addAccount(row);
      case 'payment_methods':
        return this.addPayment(row);
      case 'ip_addresses':
        return this.addIp(row);
      case 'prompt_fingerprints':
        return this.addPrompt(row);
      case 'activity':
        return this.addActivity(row);
    }
  }

  /** Index of an account, created (with no attributes) on first sight, as MERGE does. */
  account(id: string): number {
    const before = this.accounts.size;
    const a = this.accounts.intern(id);
    if (a === before) {
      this.accountCreatedAt.ensure(a + 1);
      this.accountCreatedAt.data[a] = NaN;
      this.accountVerified.ensure(a + 1);
      this.accountVerified.data[a] = UNKNOWN;
      this.accountEmailDomain.push(undefined);
      this.accountCountry.push(undefined);
      this.accountPlan.push(undefined);
    }
    return a;
  }

  private addAccount(r: AccountRow): void {
    const a = this.account(r.accountId);
    const c = this.accountCreatedAt.data[a]!;
    if (Number.isNaN(c) || r.createdAt < c) this.accountCreatedAt.data[a] = r.createdAt;
    if (r.verified !== undefined) this.accountVerified.data[a] = r.verified ? 1 : 0;
    if (r.emailDomain !== undefined) this.accountEmailDomain[a] = r.emailDomain;
    if (r.country !== undefined) this.accountCountry[a] = r.country;
    if (r.plan !== undefined) this.accountPlan[a] = r.plan;
  }

  private addPayment(r: PaymentRow): void {
    const a = this.account(r.accountId);
    const before = this.payments.size;
    const p = this.payments.intern(r.key);
    if (p === before) {
      this.paymentBin.push(undefined);
      this.paymentCountry.push(undefined);
    }
    if (r.cardBin !== undefined) this.paymentBin[p] = r.cardBin;
    if (r.cardCountry !== undefined) this.paymentCountry[p] = r.cardCountry;
    this.paidWith.add(a, p, r.firstSeen, r.lastSeen, 0);
  }

  private addIp(r: IpRow): void {
    const a = this.account(r.accountId);
    const before = this.ips.size;
    const ip = this.ips.intern(r.key);
    if (ip === before) {
      this.ipVersion.ensure(ip + 1);
      this.ipProxy.ensure(ip + 1);
      this.ipProxy.data[ip] = UNKNOWN;
      this.ipSubnet.ensure(ip + 1);
      this.ipAsn.push(undefined);
      const sBefore = this.subnets.size;
      const s = this.subnets.intern(r.subnet);
      if (s === sBefore) {
        this.subnetVersion.ensure(s + 1);
        this.subnetVersion.data[s] = r.version;
      }
      // The subnet is a function of the canonical address, so it is fixed at first sight.
      this.ipSubnet.data[ip] = s;
    }
    this.ipVersion.data[ip] = r.version;
    if (r.isProxy !== undefined) this.ipProxy.data[ip] = r.isProxy ? 1 : 0;
    if (r.asn !== undefined) this.ipAsn[ip] = r.asn;
    this.connectedFrom.add(a, ip, r.firstSeen, r.lastSeen, r.requests);
  }

  private addPrompt(r: PromptRow): void {
    const a = this.account(r.accountId);
    const before = this.prompts.size;
    const p = this.prompts.intern(r.key);
    if (p === before) {
      this.promptCapability.ensure(p + 1);
      this.promptCapability.data[p] = UNKNOWN;
      this.promptKind.ensure(p + 1);
      this.promptKind.data[p] = UNKNOWN;
      this.promptMarkers.ensure(p + 1);
    }
    if (r.capability !== undefined) this.promptCapability.data[p] = this.capabilities.intern(r.capability);
    if (r.fpKind !== undefined) this.promptKind.data[p] = FP_KINDS.indexOf(r.fpKind);
    for (const m of r.markers) this.promptMarkers.data[p]! |= 1 << MARKER_ORDER.indexOf(m);
    this.sent.add(a, p, r.firstSeen, r.lastSeen, r.count);
  }

  private addActivity(r: ActivityRow): void {
    this.activity.add(this.account(r.accountId), r.hour, 0, 0, r.requests);
  }

  capabilityOf(p: number): Capability | undefined {
    const c = this.promptCapability.data[p]!;
    return c < 0 ? undefined : this.capabilities.keys[c];
  }

  /** The stored kind: as given, else `template` (the transactional ingest's default). */
  kindOf(p: number): FingerprintKind {
    const k = this.promptKind.data[p]!;
    return k < 0 ? 'template' : FP_KINDS[k]!;
  }

  markersOf(p: number): PromptMarker[] {
    const bits = this.promptMarkers.data[p]!;
    return MARKER_ORDER.filter((_, i) => (bits & (1 << i)) !== 0);
  }

  verifiedOf(a: number): boolean | undefined {
    const v = this.accountVerified.data[a]!;
    return v === UNKNOWN ? undefined : v === 1;
  }

  proxyOf(ip: number): boolean | undefined {
    const v = this.ipProxy.data[ip]!;
    return v === UNKNOWN ? undefined : v === 1;
  }

  /**
   * Each account's activity, hours ascending: `start[a]..start[a+1]` index into `hours`/`requests`.
   * A counting sort by account, then a sort of each account's few hours.
   */
  activityByAccount(): { start: Int32Array; hours: Float64Array; requests: Float64Array } {
    const n = this.accounts.size;
    const act = this.activity;
    const start = new Int32Array(n + 1);
    for (let i = 0; i < act.size; i++) start[act.account.data[i]! + 1]!++;
    for (let a = 0; a < n; a++) start[a + 1]! += start[a]!;
    const fill = start.slice(0, n);
    const order = new Int32Array(act.size);
    for (let i = 0; i < act.size; i++) order[fill[act.account.data[i]!]!++] = i;
    const hours = new Float64Array(act.size);
    const requests = new Float64Array(act.size);
    for (let a = 0; a < n; a++) {
      const from = start[a]!;
      const to = start[a + 1]!;
      const idx = Array.from(order.subarray(from, to)).sort((x, y) => act.target.data[x]! - act.target.data[y]!);
      for (let j = 0; j < idx.length; j++) {
        hours[from + j] = act.target.data[idx[j]!]!;
        requests[from + j] = act.amount.data[idx[j]!]!;
      }
    }
    return { start, hours, requests };
  }
}
