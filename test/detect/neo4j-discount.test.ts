import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { readLinkageInput } from '../../src/db/linkage-source.js';
import { EVIDENCE_KINDS, EVIDENCE_SLOTS, project, type LinkageInput } from '../../src/graph/index.js';
import { canonical } from '../helpers/canonical-input.js';
import { freshNeo4j } from '../helpers/services.js';
import { T0 } from './fixtures.js';
import { ingestInput } from '../helpers/ingest-input.js';

const DAY = 86_400_000;

describe('identifier discounts on data read from Neo4j', () => {
  let client: Neo4jClient;
  beforeAll(async () => {
    client = await freshNeo4j();
  });
  afterAll(async () => {
    await client?.close();
  });

  it('discounts identifiers by degree and by time apart, on data read from Neo4j', async () => {
    // 200 accounts (the population the discounts are relative to), created two days apart.
    const accounts = new Map<string, { id: string; createdAt: number }>();
    for (let i = 0; i < 200; i++) {
      const id = `x-${String(i).padStart(3, '0')}`;
      accounts.set(id, { id, createdAt: T0 - (i + 1) * 2 * DAY });
    }
    const span = (f: number, days = 5) => ({ firstSeen: f, lastSeen: f + days * DAY, count: 1 });
    const input: LinkageInput = {
      accounts,
      identifiers: [
        // Pair sharing a card of degree 2, overlapping in time.
        {
          kind: 'payment',
          key: 'p-pair',
          members: [
            { account: 'x-000', ...span(T0) },
            { account: 'x-001', ...span(T0 + DAY) },
          ],
        },
        // The same, but used 120 days apart.
        {
          kind: 'payment',
          key: 'p-apart',
          members: [
            { account: 'x-002', ...span(T0) },
            { account: 'x-003', ...span(T0 + 120 * DAY) },
          ],
        },
        // A card shared by 12 accounts at the same time.
        { kind: 'payment', key: 'p-twelve', members: Array.from({ length: 12 }, (_, i) => ({ account: `x-${String(10 + i).padStart(3, '0')}`, ...span(T0) })) },
      ],
      activity: new Map(),
    };
    await ingestInput(client, input);
    const read = await readLinkageInput(client, { pageSize: 50 });
    expect(canonical(read)).toEqual(canonical(input));
    const g = project(read, { minEdgeWeight: 0 });
    const weightOf = (a: string, b: string): number => {
      const ia = g.accounts.indexOf(a);
      const ib = g.accounts.indexOf(b);
      for (let e = 0; e < g.edgeCount; e++) if ((g.src[e] === ia && g.dst[e] === ib) || (g.src[e] === ib && g.dst[e] === ia)) return g.weight[e]!;
      return 0;
    };
    const pair = weightOf('x-000', 'x-001');
    const apart = weightOf('x-002', 'x-003');
    const twelve = weightOf('x-010', 'x-011');
    expect(pair).toBeGreaterThan(0);
    expect(twelve).toBeGreaterThan(0);
    expect(twelve).toBeLessThan(pair - 2); // log2(12/2) ≈ 2.6 bits less
    expect(apart).toBeLessThan(pair * 0.5);
    // The pair's link is all payment evidence: the payment slot carries its whole weight, the others none.
    const ia = g.accounts.indexOf('x-000');
    const ib = g.accounts.indexOf('x-001');
    let e = 0;
    while (!((g.src[e] === ia && g.dst[e] === ib) || (g.src[e] === ib && g.dst[e] === ia))) e++;
    const slots = Array.from(g.evidence.subarray(e * EVIDENCE_SLOTS, (e + 1) * EVIDENCE_SLOTS));
    const payment = EVIDENCE_KINDS.indexOf('payment');
    expect(slots[payment]).toBeCloseTo(pair, 4);
    expect(slots.filter((_, k) => k !== payment).every((x) => x === 0)).toBe(true);
  });
});
