/**
 * Which shared payment and prompt identifiers each account holds, in CSR form (typed arrays), so the
 * agreement of any two accounts on those kinds can be computed exactly by merging two sorted lists.
 *
 * The pair rows only hold pairs inside each identifier's k-neighbour band (the k·d bound). That bound
 * is *blocking*: it decides which pairs are compared. The comparison itself uses every identifier both
 * accounts hold, as in record linkage, where blocking rules choose candidate pairs and never change a
 * candidate's match weight (Christen, Data Matching, 2012, ch. 4; Splink's blocking rules). Without
 * it, two accounts of a 1,500-account fleet that share ten of its templates would be credited only
 * with the one template whose band happened to pair them, and two accounts of one party that share a
 * 40-account card could look as if they agreed on nothing.
 */
export const SHARED_KIND = { payment: 0, prompt: 1, scaffold: 2 } as const;
export type SharedKind = (typeof SHARED_KIND)[keyof typeof SHARED_KIND];

/** Exact agreement of two accounts, in bits (before saturation and overlap scaling). */
export interface Agreement {
  /** Summed bits of the cards both hold. */
  payment: number;
  /** Summed bits of the whole-prompt fingerprints (template, minhash, system) both sent. */
  prompt: number;
  /** Summed bits of the scaffold fingerprints both sent. */
  scaffold: number;
  /** The scaffold bits weighted by the first account's prompt count on each. */
  scaffoldX: number;
  /** The same for the second account. */
  scaffoldY: number;
}

/** An agreement of nothing, for callers to reuse across many `common` calls. */
export function emptyAgreement(): Agreement {
  return { payment: 0, prompt: 0, scaffold: 0, scaffoldX: 0, scaffoldY: 0 };
}

export class SharedIndex {
  private accounts = new Int32Array(1024);
  private groups = new Int32Array(1024);
  private counts = new Float64Array(1024);
  private size = 0;
  private readonly bits: number[] = [];
  private readonly kinds: SharedKind[] = [];
  private offsets: Int32Array | undefined;
  private list: Int32Array | undefined;
  private listCounts: Float64Array | undefined;

  constructor(private readonly n: number) {}

  /** Register one identifier (its bits and kind); returns its number. */
  addGroup(bits: number, kind: SharedKind): number {
    this.bits.push(bits);
    this.kinds.push(kind);
    return this.bits.length - 1;
  }

  /** Record that `account` holds group `g`, `count` times (groups must be added in increasing order). */
  hold(account: number, g: number, count = 1): void {
    if (this.offsets) throw new Error('SharedIndex: hold() after the first common()');
    if (this.size === this.accounts.length) {
      this.accounts = grow(this.accounts, new Int32Array(this.size * 2));
      this.groups = grow(this.groups, new Int32Array(this.size * 2));
      this.counts = grow(this.counts, new Float64Array(this.size * 2));
    }
    this.accounts[this.size] = account;
    this.counts[this.size] = count;
    this.groups[this.size++] = g;
  }

  /** Counting sort by account (stable: each account's groups stay in increasing order). */
  private freeze(): void {
    const offsets = new Int32Array(this.n + 1);
    for (let i = 0; i < this.size; i++) offsets[this.accounts[i]! + 1]!++;
    for (let v = 0; v < this.n; v++) offsets[v + 1]! += offsets[v]!;
    const fill = offsets.slice(0, this.n);
    const list = new Int32Array(this.size);
    const listCounts = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const at = fill[this.accounts[i]!]!++;
      list[at] = this.groups[i]!;
      listCounts[at] = this.counts[i]!;
    }
    this.offsets = offsets;
    this.list = list;
    this.listCounts = listCounts;
    // The build arrays are not needed any more.
    this.accounts = new Int32Array(0);
    this.groups = new Int32Array(0);
    this.counts = new Float64Array(0);
  }

  /**
   * Exact agreement of accounts x and y on every indexed identifier. Writes into `out` (reused by
   * callers that compare millions of pairs) and returns it.
   */
  common(x: number, y: number, out: Agreement = emptyAgreement()): Agreement {
    if (!this.offsets) this.freeze();
    const off = this.offsets!;
    const list = this.list!;
    const cnt = this.listCounts!;
    let i = off[x]!;
    let j = off[y]!;
    const ie = off[x + 1]!;
    const je = off[y + 1]!;
    out.payment = out.prompt = out.scaffold = out.scaffoldX = out.scaffoldY = 0;
    while (i < ie && j < je) {
      const a = list[i]!;
      const b = list[j]!;
      if (a < b) i++;
      else if (b < a) j++;
      else {
        const w = this.bits[a]!;
        const k = this.kinds[a]!;
        if (k === SHARED_KIND.payment) out.payment += w;
        else if (k === SHARED_KIND.prompt) out.prompt += w;
        else {
          out.scaffold += w;
          out.scaffoldX += w * cnt[i]!;
          out.scaffoldY += w * cnt[j]!;
        }
        i++;
        j++;
      }
    }
    return out;
  }
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
