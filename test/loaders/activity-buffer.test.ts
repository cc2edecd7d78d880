import { describe, expect, it } from 'vitest';
import { ActivityBuffer } from '../../src/loaders/activity-buffer.js';
import type { ActivityRow } from '../../src/loaders/row-schemas.js';

const row = (accountId: string, hour: number, requests = 1): ActivityRow => ({ kind: 'activity', accountId, hour, requests });

describe('ActivityBuffer', () => {
  it('hands out whole accounts in id order, batches within the batch size, every row once', () => {
    const b = new ActivityBuffer(1000);
    const rows: ActivityRow[] = [];
    // Interleaved accounts with 1..5 rows each; "big" has more rows than a batch holds.
    for (let i = 0; i < 40; i++) for (let a = 0; a < 12; a++) if (i < 1 + (a % 5)) rows.push(row(`acct-${String(11 - a).padStart(2, '0')}`, 100 + i, a + i));
    for (let i = 0; i < 9; i++) rows.push(row('big', i));
    for (const r of rows) b.add(r);
    expect(b.size).toBe(rows.length);
    const batches = b.drain(6).map((f) => f());
    expect(b.size).toBe(0);
    const accountsInOrder = batches.flatMap((bt) => [...new Set(bt.map((r) => r.accountId))]);
    expect(accountsInOrder).toEqual([...accountsInOrder].sort());
    expect(new Set(accountsInOrder).size).toBe(accountsInOrder.length); // no account split across batches
    for (const bt of batches) if (!bt.some((r) => r.accountId === 'big')) expect(bt.length).toBeLessThanOrEqual(6);
    expect(batches.find((bt) => bt.some((r) => r.accountId === 'big'))).toHaveLength(9);
    const key = (r: ActivityRow) => `${r.accountId}|${r.hour}|${r.requests}`;
    expect(batches.flat().map(key).sort()).toEqual(rows.map(key).sort());
  });

  it('turns full at its capacity and starts empty again after a drain', () => {
    const b = new ActivityBuffer(3);
    b.add(row('a', 1));
    b.add(row('b', 1));
    expect(b.full).toBe(false);
    b.add(row('a', 2));
    expect(b.full).toBe(true);
    expect(b.drain(10).map((f) => f().length)).toEqual([3]);
    expect(b.full).toBe(false);
    expect(b.drain(10)).toEqual([]);
    expect(() => new ActivityBuffer(0)).toThrow(RangeError);
  });
});
