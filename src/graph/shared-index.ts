/**
 * Which shared payment and prompt identifiers each account holds, in CSR form (typed arrays), so the
 * agreement of any two accounts on those kinds can be computed exactly by merging two sorted lists.
 * Network coherence needs exact agreement: the pair rows only hold pairs inside each identifier's
 * k-neighbour band, so two accounts of one party that share a 40-account card could otherwise look
 * as if they agreed on nothing.
 */
export class SharedIndex {
  private accounts = new Int32Array(1024);
  private groups = new Int32Array(1024);
  private size = 0;
  private readonly bits: number[] = [];
  private readonly prompt: boolean[] = [];
  private offsets: Int32Array | undefined;
  private list: Int32Array | undefined;

  constructor(private readonly n: number) {}

  /** Register one identifier (its bits and whether it is a prompt fingerprint); returns its number. */
  addGroup(bits: number, isPrompt: boolean): number {
    this.bits.push(bits);
    this.prompt.push(isPrompt);
    return this.bits.length - 1;
  }

  /** Record that `account` holds group `g` (groups must be added in increasing order). */
  hold(account: number, g: number): void {
    if (this.size === this.accounts.length) {
      const a = new Int32Array(this.size * 2);
      a.set(this.accounts);
      this.accounts = a;
      const b = new Int32Array(this.size * 2);
      b.set(this.groups);
      this.groups = b;
    }
    this.accounts[this.size] = account;
    this.groups[this.size++] = g;
  }

  /** Counting sort by account (stable: each account's groups stay in increasing order). */
  private freeze(): void {
    const offsets = new Int32Array(this.n + 1);
    for (let i = 0; i < this.size; i++) offsets[this.accounts[i]! + 1]!++;
    for (let v = 0; v < this.n; v++) offsets[v + 1]! += offsets[v]!;
    const fill = offsets.slice(0, this.n);
    const list = new Int32Array(this.size);
    for (let i = 0; i < this.size; i++) list[fill[this.accounts[i]!]!++] = this.groups[i]!;
    this.offsets = offsets;
    this.list = list;
  }

  /** Summed bits of the payment and of the prompt identifiers both accounts hold. */
  common(x: number, y: number): { payment: number; prompt: number } {
    if (!this.offsets) this.freeze();
    const off = this.offsets!;
    const list = this.list!;
    let i = off[x]!;
    let j = off[y]!;
    const ie = off[x + 1]!;
    const je = off[y + 1]!;
    let payment = 0;
    let prompt = 0;
    while (i < ie && j < je) {
      const a = list[i]!;
      const b = list[j]!;
      if (a < b) i++;
      else if (b < a) j++;
      else {
        if (this.prompt[a]) prompt += this.bits[a]!;
        else payment += this.bits[a]!;
        i++;
        j++;
      }
    }
    return { payment, prompt };
  }
}
