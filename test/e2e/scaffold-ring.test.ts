import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectAndWrite, loadRunAssignments } from '../../src/db/index.js';
import { evaluate, readTruthCsv, type Prediction } from '../../src/evaluate/index.js';
import { fingerprintLog } from '../../src/fingerprint/index.js';
import { generate } from '../../src/generator/index.js';
import { runDetection } from '../../src/graph/index.js';
import { ingestDrop, readDropAsLinkageInput } from '../../src/loaders/index.js';
import { freshNeo4j } from '../helpers/services.js';

/**
 * Issue #17's end-to-end path: a raw log where every ring template is a scaffold (head, house style,
 * tail) around a fresh natural-language task goes `fingerprint` → `ingest` (Neo4j) → `detect`. The
 * `careful` ring shares no card, no IP and no system prompt, and its whole-prompt fingerprints differ
 * with every task: only the scaffold fingerprints (and timing) can give it away.
 */
describe('raw prompt logs with scaffold templates to a found ring', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-e2e-scaffold-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fingerprints, ingests and detects scaffold-template rings at ≥ review, with no legitimate account in enforce', async () => {
    const g = await generate({ scenario: 'careful', accounts: 300, seed: 29, out: dir, rawPrompts: true, scaffoldShare: 1, promptsPerFingerprint: 1 });
    const csv = path.join(g.dropDir, 'prompt_fingerprints.csv');
    const fp = await fingerprintLog(g.promptsFile!, csv);
    expect(fp.rejects).toBe(0);

    const truth = await readTruthCsv(g.truthFile);
    const ring = new Set(truth.filter((t) => t.label === 'ring').map((t) => t.accountId));
    expect(ring.size).toBeGreaterThanOrEqual(8);
    // No shared infrastructure and no system prompt inside the ring.
    const input = await readDropAsLinkageInput(g.dropDir);
    for (const grp of input.identifiers) {
      if (grp.kind === 'subnet' || (grp.kind === 'prompt' && grp.fpKind !== 'system')) continue;
      expect(grp.members.filter((m) => ring.has(m.account)).length, `${grp.kind} ${grp.fpKind ?? ''} shared inside the ring`).toBeLessThan(2);
    }
    // The ring's templates link through scaffold ids; whole-prompt ids shared inside it come from its
    // few ordinary (noise) prompts.
    const sharedWhole = input.identifiers.filter(
      (grp) => grp.kind === 'prompt' && grp.fpKind !== 'scaffold' && grp.members.filter((m) => ring.has(m.account)).length >= 2,
    );
    const sharedScaffold = input.identifiers.filter((grp) => grp.fpKind === 'scaffold' && grp.members.filter((m) => ring.has(m.account)).length >= 2);
    expect(sharedScaffold.length).toBeGreaterThan(sharedWhole.length);

    const client = await freshNeo4j();
    try {
      const ing = await ingestDrop(client, g.dropDir, { stateDir: path.join(dir, 'state') });
      expect(ing.files.every((f) => f.status === 'ok')).toBe(true);
      const run = await detectAndWrite(client, { seed: 7 });
      const { predictions } = await loadRunAssignments(client, run.runId);
      const ev = evaluate(truth, predictions, { minRecommendation: 'review' });
      expect(ev.ringTypes.find((t) => t.type === 'careful')!.recall).toBeGreaterThanOrEqual(0.9);
      for (const l of ev.legitFlagged) expect(l.enforce, l.label).toBe(0);
      // Neo4j keeps the kind, and detection reads it back.
      const kinds = await client.query("MATCH (p:PromptFingerprint {kind: 'scaffold'}) RETURN count(p) AS n", {}, 'READ');
      expect(Number(kinds.records[0]!.get('n'))).toBeGreaterThan(0);
    } finally {
      await client.close();
    }

    // Without scaffold ids (the fingerprints before issue #17) the same log hides the ring.
    await fingerprintLog(g.promptsFile!, csv, { scaffold: false });
    const before = await runDetection(await readDropAsLinkageInput(g.dropDir), { seed: 7 });
    const preds = new Map<string, Prediction>();
    for (const c of before.clusters) for (const m of c.members) preds.set(m, { clusterId: c.id, recommendation: c.recommendation });
    expect(evaluate(truth, preds, { minRecommendation: 'review' }).ringTypes.find((t) => t.type === 'careful')!.recall).toBeLessThan(0.5);
  }, 300_000);
});
