import type { BuiltInCapability } from '../vocabulary/capabilities.js';
import type { FingerprintKind, PromptMarker } from '../graph/types.js';
import { fmix32, mixStep } from '../util/hash.js';
import { ID_SCAFFOLD, ID_SYSTEM, ID_TEMPLATE, formatId, type Fingerprinter } from './fingerprinter.js';

/** Order of capabilities in the per-row counts; also the tie-break when a fingerprint's prompts disagree. */
export const CAPABILITY_ORDER: readonly BuiltInCapability[] = ['cyber', 'agentic', 'coding', 'reasoning', 'writing', 'other'];
const CAP_INDEX = new Map(CAPABILITY_ORDER.map((c, i) => [c, i]));
const NCAP = CAPABILITY_ORDER.length;

/** One output row of `prompt_fingerprints.csv`. */
export interface FingerprintRow {
  readonly accountId: string;
  readonly fingerprint: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly count: number;
  /** Most frequent capability among the row's prompts (ties: CAPABILITY_ORDER). */
  readonly capability: BuiltInCapability;
  readonly kind: FingerprintKind;
  /** Markers present in at least half of the row's prompts. */
  readonly markers: PromptMarker[];
}

/**
 * Aggregates fingerprints per (account, fingerprint) in O(distinct pairs) memory: an open-addressing
 * hash table over flat typed-array columns keyed by the id's 32-bit words (76 bytes a row plus table
 * and doubling slack; no per-row objects or strings: id strings are only built when rows are written).
 */
export class FingerprintAggregator {
  private readonly accountIndex = new Map<string, number>();
  private readonly accounts: string[] = [];
  private n = 0;
  private cap = 0;
  private acc = new Int32Array(0);
  private tag = new Int32Array(0);
  private words = new Int32Array(0);
  private first = new Float64Array(0);
  private last = new Float64Array(0);
  private count = new Int32Array(0);
  private caps = new Int32Array(0);
  private cot = new Int32Array(0);
  private rubric = new Int32Array(0);
  private table = new Int32Array(0);
  private mask = 0;

  constructor(
    /** Hex characters per id (as the Fingerprinter's `hexChars`). */
    readonly hexChars: number,
  ) {
    this.growRows(1024);
    this.rehash(4096);
  }

  /** Distinct accounts seen. */
  get accountCount(): number {
    return this.accounts.length;
  }

  /** Distinct (account, fingerprint) rows. */
  get size(): number {
    return this.n;
  }

  /** Add the ids of the fingerprinter's last compute() for one prompt of `accountId` at `ts` (epoch ms). */
  add(accountId: string, ts: number, fp: Fingerprinter): void {
    let a = this.accountIndex.get(accountId);
    if (a === undefined) {
      a = this.accounts.length;
      this.accounts.push(accountId);
      this.accountIndex.set(accountId, a);
    }
    const capIdx = CAP_INDEX.get(fp.capability)!;
    const cot = fp.markers.includes('cot') ? 1 : 0;
    const rubric = fp.markers.includes('rubric') ? 1 : 0;
    for (let i = 0; i < fp.idCount; i++) this.addOne(a, fp.idTags[i]!, fp.idWords, i * 4, ts, capIdx, cot, rubric);
  }

  private addOne(a: number, tag: number, w: Int32Array, at: number, ts: number, capIdx: number, cot: number, rubric: number): void {
    const w0 = w[at]!,
      w1 = w[at + 1]!,
      w2 = w[at + 2]!,
      w3 = w[at + 3]!;
    let slot = fmix32(mixStep(mixStep(a, tag), w0 ^ w1)) & this.mask;
    let r = this.table[slot]!;
    while (r !== -1) {
      const o = r * 4;
      if (this.acc[r] === a && this.tag[r] === tag && this.words[o] === w0 && this.words[o + 1] === w1 && this.words[o + 2] === w2 && this.words[o + 3] === w3)
        break;
      slot = (slot + 1) & this.mask;
      r = this.table[slot]!;
    }
    if (r === -1) {
      if (this.n === this.cap) this.growRows(this.cap * 2);
      r = this.n++;
      this.table[slot] = r;
      this.acc[r] = a;
      this.tag[r] = tag;
      const o = r * 4;
      this.words[o] = w0;
      this.words[o + 1] = w1;
      this.words[o + 2] = w2;
      this.words[o + 3] = w3;
      this.first[r] = ts;
      this.last[r] = ts;
      if (this.n * 2 > this.table.length) this.rehash(this.table.length * 2);
    } else {
      if (ts < this.first[r]!) this.first[r] = ts;
      if (ts > this.last[r]!) this.last[r] = ts;
    }
    this.count[r]!++;
    this.caps[r * NCAP + capIdx]!++;
    this.cot[r]! += cot;
    this.rubric[r]! += rubric;
  }

  private growRows(cap: number): void {
    const grow = <T extends Int32Array | Float64Array>(old: T, size: number): T => {
      const next = new (old.constructor as new (n: number) => T)(size);
      next.set(old);
      return next;
    };
    this.acc = grow(this.acc, cap);
    this.tag = grow(this.tag, cap);
    this.words = grow(this.words, cap * 4);
    this.first = grow(this.first, cap);
    this.last = grow(this.last, cap);
    this.count = grow(this.count, cap);
    this.caps = grow(this.caps, cap * NCAP);
    this.cot = grow(this.cot, cap);
    this.rubric = grow(this.rubric, cap);
    this.cap = cap;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let r = 0; r < this.n; r++) {
      let slot = fmix32(mixStep(mixStep(this.acc[r]!, this.tag[r]!), this.words[r * 4]! ^ this.words[r * 4 + 1]!)) & this.mask;
      while (this.table[slot] !== -1) slot = (slot + 1) & this.mask;
      this.table[slot] = r;
    }
  }

  /** Rows sorted by account id, then fingerprint string (deterministic whatever the input order). */
  *rows(): Generator<FingerprintRow> {
    const accOrder = this.accounts
      .map((_, i) => i)
      .sort((x, y) => (this.accounts[x]! < this.accounts[y]! ? -1 : this.accounts[x]! > this.accounts[y]! ? 1 : 0));
    // Counting sort of rows by account, then a small string sort inside each account.
    const start = new Int32Array(this.accounts.length + 1);
    for (let r = 0; r < this.n; r++) start[this.acc[r]! + 1]!++;
    for (let a = 0; a < this.accounts.length; a++) start[a + 1]! += start[a]!;
    const byAcc = new Int32Array(this.n);
    const fill = start.slice(0, this.accounts.length);
    for (let r = 0; r < this.n; r++) byAcc[fill[this.acc[r]!]!++] = r;
    for (const a of accOrder) {
      const group: Array<{ r: number; id: string }> = [];
      for (let k = start[a]!; k < start[a + 1]!; k++) {
        const r = byAcc[k]!;
        group.push({ r, id: formatId(this.tag[r]!, this.words, r * 4, this.hexChars) });
      }
      group.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      for (const { r, id } of group) {
        let best = 0;
        for (let c = 1; c < NCAP; c++) if (this.caps[r * NCAP + c]! > this.caps[r * NCAP + best]!) best = c;
        const n = this.count[r]!;
        const markers: PromptMarker[] = [];
        if (this.cot[r]! * 2 >= n) markers.push('cot');
        if (this.rubric[r]! * 2 >= n) markers.push('rubric');
        const tag = this.tag[r]!;
        yield {
          accountId: this.accounts[a]!,
          fingerprint: id,
          firstSeen: this.first[r]!,
          lastSeen: this.last[r]!,
          count: n,
          capability: CAPABILITY_ORDER[best]!,
          kind: tag === ID_TEMPLATE ? 'template' : tag === ID_SYSTEM ? 'system' : tag === ID_SCAFFOLD ? 'scaffold' : 'minhash',
          markers,
        };
      }
    }
  }
}

export const CSV_HEADER = 'account_id,fingerprint,first_seen,last_seen,count,capability,kind,markers';

function csvField(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 44 || c === 10 || c === 13) return `"${s.replace(/"/g, '""')}"`;
  }
  return s;
}

/** Formats epoch ms as ISO-8601 UTC; memoised because all ids of one prompt share its timestamp. */
export class IsoCache {
  private readonly memo = new Map<number, string>();
  format(ms: number): string {
    let s = this.memo.get(ms);
    if (s === undefined) {
      if (this.memo.size >= 65_536) this.memo.clear();
      s = new Date(ms).toISOString();
      this.memo.set(ms, s);
    }
    return s;
  }
}

const defaultIso = new IsoCache();

/** One CSV line (with trailing newline) in the data contract's `prompt_fingerprints` format. */
export function csvLine(r: FingerprintRow, iso: IsoCache = defaultIso): string {
  return `${csvField(r.accountId)},${r.fingerprint},${iso.format(r.firstSeen)},${iso.format(r.lastSeen)},${r.count},${r.capability},${r.kind},${r.markers.join(';')}\n`;
}
