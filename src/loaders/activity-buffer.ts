import type { ActivityRow } from './row-schemas.js';

/**
 * Holds validated activity rows grouped by account until `capacity` rows are buffered, then hands
 * them out as batches of whole accounts in account order (pure, no I/O).
 *
 * Why: an activity file lists (account, hour) rows in any order, about 19 per account. Written as
 * they come, a 10,000-row batch touches ~6,600 accounts once each, so every account's hour lists are
 * read, merged and rewritten ~19 times (19M list merges for a 1M-account drop, the costliest
 * statement of ingest). Grouped first, each account is written once per buffer.
 *
 * Batches are cut deterministically from the file's content, `capacity` and the batch size, so a
 * resumed file cuts the same batches and the batch ledger skips the committed ones.
 */
export class ActivityBuffer {
  /** account id → interleaved [hour, requests, hour, requests, …] */
  private byAccount = new Map<string, number[]>();
  private buffered = 0;

  /** @param capacity rows held before `full` turns true (memory is ~16 bytes per row plus ~100 per account) */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.buffered;
  }

  get full(): boolean {
    return this.buffered >= this.capacity;
  }

  add(row: ActivityRow): void {
    let list = this.byAccount.get(row.accountId);
    if (!list) this.byAccount.set(row.accountId, (list = []));
    list.push(row.hour, row.requests);
    this.buffered++;
  }

  /**
   * Empty the buffer into batches of at most `batchSize` rows, each holding whole accounts (an
   * account with more rows than `batchSize` gets a batch of its own), accounts in ascending id
   * order. Rows are materialised per batch, when the returned thunk is called.
   */
  drain(batchSize: number): Array<() => ActivityRow[]> {
    const ids = [...this.byAccount.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const groups = this.byAccount;
    this.byAccount = new Map();
    this.buffered = 0;
    const out: Array<() => ActivityRow[]> = [];
    let cut: string[] = [];
    let rows = 0;
    const close = (): void => {
      const members = cut;
      out.push(() => {
        const batch: ActivityRow[] = [];
        for (const accountId of members) {
          const list = groups.get(accountId)!;
          for (let i = 0; i < list.length; i += 2) batch.push({ kind: 'activity', accountId, hour: list[i]!, requests: list[i + 1]! });
          groups.delete(accountId); // released as soon as its batch is built
        }
        return batch;
      });
      cut = [];
      rows = 0;
    };
    for (const id of ids) {
      const n = groups.get(id)!.length / 2;
      if (rows > 0 && rows + n > batchSize) close();
      cut.push(id);
      rows += n;
    }
    if (cut.length > 0) close();
    return out;
  }
}
