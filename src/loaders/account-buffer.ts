/**
 * Holds a file's validated rows grouped by account until `capacity` rows are buffered, then hands
 * them out as batches of whole accounts in account order (pure, no I/O).
 *
 * Why: exporters write rows in any order (by time, by row id), so a 10,000-row batch cut in file
 * order touches thousands of accounts once each: every account node is looked up and locked again
 * in nearly every batch, and activity's hour lists are read, merged and rewritten ~19 times per
 * account. Grouped first, each account is written once per buffer, whatever the file's order.
 *
 * Batches are cut deterministically from the file's content, `capacity` and the batch size, so a
 * resumed file cuts the same batches and the batch ledger skips the committed ones.
 *
 * Rows are stored packed (`pack` appends a row's values to its account's list, `width` values a
 * row) and rebuilt per batch by `unpack`, so a compact encoding (activity: two numbers a row) keeps
 * millions of rows cheap.
 */
export class AccountBuffer<R extends { readonly accountId: string }, P = R> {
  /** account id → the packed rows of that account */
  private byAccount = new Map<string, P[]>();
  private buffered = 0;

  /** @param capacity rows held before `full` turns true */
  constructor(
    readonly capacity: number,
    private readonly codec: {
      readonly width: number;
      pack(row: R, into: P[]): void;
      unpack(accountId: string, list: readonly P[], at: number): R;
    } = IDENTITY as never,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.buffered;
  }

  get full(): boolean {
    return this.buffered >= this.capacity;
  }

  add(row: R): void {
    let list = this.byAccount.get(row.accountId);
    if (!list) this.byAccount.set(row.accountId, (list = []));
    this.codec.pack(row, list);
    this.buffered++;
  }

  /**
   * Empty the buffer into batches of at most `batchSize` rows, each holding whole accounts (an
   * account with more rows than `batchSize` gets a batch of its own), accounts in ascending id
   * order. Rows are materialised per batch, when the returned thunk is called.
   */
  drain(batchSize: number): Array<() => R[]> {
    const ids = [...this.byAccount.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const groups = this.byAccount;
    const { width } = this.codec;
    this.byAccount = new Map();
    this.buffered = 0;
    const out: Array<() => R[]> = [];
    let cut: string[] = [];
    let rows = 0;
    const close = (): void => {
      const members = cut;
      out.push(() => {
        const batch: R[] = [];
        for (const accountId of members) {
          const list = groups.get(accountId)!;
          for (let i = 0; i < list.length; i += width) batch.push(this.codec.unpack(accountId, list, i));
          groups.delete(accountId); // released as soon as its batch is built
        }
        return batch;
      });
      cut = [];
      rows = 0;
    };
    for (const id of ids) {
      const n = groups.get(id)!.length / width;
      if (rows > 0 && rows + n > batchSize) close();
      cut.push(id);
      rows += n;
    }
    if (cut.length > 0) close();
    return out;
  }
}

const IDENTITY = {
  width: 1,
  pack: (row: unknown, into: unknown[]) => into.push(row),
  unpack: (_: string, list: readonly unknown[], at: number) => list[at],
};
