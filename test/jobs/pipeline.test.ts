import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Neo4jClient } from '../../src/db/index.js';
import { openDrop } from '../../src/loaders/index.js';
import {
  dropFlowIds,
  enqueueDrop,
  failedClass,
  followFlow,
  openQueues,
  startWorkers,
  submitDrop,
  type PipelineQueues,
  type WorkerPool,
} from '../../src/jobs/index.js';
import { EditedDropError, JobFailedError } from '../../src/util/errors.js';
import { freshNeo4j } from '../helpers/services.js';
import { graphFingerprint, jobsConfig, quietLog, smallDrop, tmpDir } from './helpers.js';

const FAST = { backoffDelayMs: 200, backoffJitter: 0.5, attempts: 3 };

describe('pipeline flow (real Redis + Neo4j)', () => {
  const config = jobsConfig('flow');
  let client: Neo4jClient;
  let q: PipelineQueues;
  let pool: WorkerPool;
  let drop: string;
  let out: string;

  beforeAll(async () => {
    client = await freshNeo4j(config);
    q = await openQueues(config, FAST);
    pool = await startWorkers(config, quietLog, { pipeline: FAST, concurrency: 2 });
    drop = await smallDrop('flow', 200, 3);
    out = tmpDir('flow-out');
  });

  afterAll(async () => {
    await pool?.close();
    await q?.close();
    await client?.close();
  });

  it('runs a drop from ingest to export, with one ingest job per file', async () => {
    const r = await submitDrop(q, client, drop, config.stateDir, { outDir: out, seed: 7 });
    expect(r.status).toBe('queued');
    expect(r.ingestJobIds).toHaveLength(r.ref.files.length);
    for (const id of [r.exportJobId, r.detectJobId, r.finalizeJobId, ...r.ingestJobIds]) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
    const seen = new Set<string>();
    const result = await followFlow<{ files: string[]; clusters: number }>(q, r, { onUpdate: (s) => s.forEach((x) => seen.add(`${x.stage}:${x.state}`)) });
    expect(seen.has('export:done')).toBe(true);
    expect(result.files.length).toBe(4);
    for (const f of result.files) expect(fs.existsSync(f)).toBe(true);
    const json = JSON.parse(fs.readFileSync(path.join(out, `${r.runId}.json`), 'utf8')) as { run: { id: string }; accounts: unknown[] };
    expect(json.run.id).toBe(r.runId);
    // The drop is in the ledger and the run finished.
    const ledger = await client.query('MATCH (d:Drop {sha256: $s}) RETURN d.rows AS rows', { s: r.ref.sha256 }, 'READ');
    expect(ledger.records).toHaveLength(1);
    const fp = await graphFingerprint(client, r.runId);
    expect(fp.clusters).toBeGreaterThan(0);
    expect(fp.nodes.Account).toBe(200);
    // Every file's job completed once.
    for (const id of r.ingestJobIds) {
      const job = await q.queues.ingest.getJob(id);
      expect(await job!.getState()).toBe('completed');
      expect(job!.attemptsMade).toBe(1);
    }
  });

  it('enqueuing the same drop twice does not ingest it twice', async () => {
    const ref = await openDrop(drop);
    const ids = dropFlowIds(ref);
    const before = await graphFingerprint(client, ids.runId);
    // After completion: the ledger and the completed root say done; nothing is added.
    const again = await submitDrop(q, client, drop, config.stateDir, { outDir: out, seed: 7 });
    expect(again.status).toBe('already-done');
    // With the flow's jobs gone from Redis, the ledger alone still prevents a second ingest.
    await q.queues.export.obliterate({ force: true });
    const third = await submitDrop(q, client, drop, config.stateDir, { outDir: out, seed: 7 });
    expect(third.status).toBe('already-done');
    expect(await graphFingerprint(client, ids.runId)).toEqual(before);
  });

  it('an edited drop is refused at submit, and its flow fails at the first file job with nothing written', async () => {
    // Issue #22 defect 1, pipeline path: same drop id (folder name), one file edited.
    const edited = path.join(tmpDir('flow-edited'), path.basename(drop));
    fs.cpSync(drop, edited, { recursive: true });
    const pm = path.join(edited, 'payment_methods.csv');
    fs.writeFileSync(pm, fs.readFileSync(pm, 'utf8').trimEnd().split('\n').slice(0, -1).join('\n') + '\n');
    const ref = await openDrop(edited);
    const before = await graphFingerprint(client, dropFlowIds(ref).runId);
    await expect(submitDrop(q, client, edited, config.stateDir, { outDir: out })).rejects.toMatchObject({
      name: 'EditedDropError',
      dropId: path.basename(drop),
      files: ['payment_methods.csv (changed)'],
    });
    // A flow enqueued anyway (e.g. before the edit was known) fails for good at its file jobs.
    const r = await enqueueDrop(q, ref, { ingested: false, runFinished: false }, { outDir: out });
    const err = await followFlow(q, r).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobFailedError);
    const job = await q.queues.ingest.getJob((err as JobFailedError).jobId);
    expect(failedClass(job!.failedReason)).toBe(EditedDropError.name);
    expect(job!.attemptsMade).toBe(1);
    expect(await graphFingerprint(client, dropFlowIds(ref).runId)).toEqual(before);
  });

  it('a second enqueue while the first flow is pending adds no job', async () => {
    const other = await smallDrop('flow-dup', 80, 11);
    const ref = await openDrop(other);
    const o = { outDir: out };
    await pool.close();
    try {
      const first = await enqueueDrop(q, ref, { ingested: false, runFinished: false }, o);
      const second = await enqueueDrop(q, ref, { ingested: false, runFinished: false }, o);
      expect(first.status).toBe('queued');
      expect(second.status).toBe('already-queued');
      expect(await q.queues.ingest.getWaitingCount()).toBe(ref.files.length);
      expect(await q.queues.export.getWaitingChildrenCount()).toBe(1);
      expect(await q.queues.detect.getWaitingChildrenCount()).toBe(1);
    } finally {
      pool = await startWorkers(config, quietLog, { pipeline: FAST, concurrency: 2 });
    }
    await followFlow(q, dropFlowIds(ref));
  });

  it('a bad file fails at once with UnrecoverableError, names the file, and is not retried', async () => {
    const bad = await smallDrop('flow-bad', 80, 5);
    // Break the header of one file: a missing required column is bad input, not a transient fault.
    const file = path.join(bad, 'payment_methods.csv');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[0] = lines[0]!.replace('payment_fingerprint', 'card_token');
    fs.writeFileSync(file, lines.join('\n'));
    const r = await submitDrop(q, client, bad, config.stateDir, { outDir: out });
    const err = await followFlow(q, r).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobFailedError);
    const failed = err as JobFailedError;
    expect(failed.queue).toBe('ingest');
    const job = await q.queues.ingest.getJob(failed.jobId);
    expect(job!.name).toBe('ingest-file');
    expect(job!.data.file).toBe('payment_methods.csv');
    expect(job!.attemptsMade).toBe(1);
    expect(failedClass(job!.failedReason)).toBe('InvalidFileError');
    expect(job!.failedReason).toContain('payment_methods.csv');
    // The drop never reached the ledger, and the flow's parents failed instead of waiting forever.
    expect((await client.query('MATCH (d:Drop {sha256: $s}) RETURN d', { s: r.ref.sha256 }, 'READ')).records).toHaveLength(0);
    expect(await (await q.queues.export.getJob(r.exportJobId))!.getState()).toBe('failed');
  });

  it('retries a transient failure with backoff, then succeeds', async () => {
    const other = await smallDrop('flow-retry', 80, 9);
    // The export folder's path is taken by a file: writing fails (a transient fault from the job's
    // point of view) until the file is moved away.
    const blockedOut = path.join(tmpDir('flow-blocked'), 'exports');
    fs.writeFileSync(blockedOut, 'not a folder');
    const r = await submitDrop(q, client, other, config.stateDir, { outDir: blockedOut });
    const exportJob = await (async () => {
      for (;;) {
        const j = await q.queues.export.getJob(r.exportJobId);
        if (j && j.attemptsMade >= 1) return j;
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    expect(failedClass(exportJob.failedReason)).toBeUndefined();
    fs.rmSync(blockedOut);
    const result = await followFlow<{ files: string[] }>(q, r);
    expect(result.files.length).toBeGreaterThan(0);
    const done = await q.queues.export.getJob(r.exportJobId);
    expect(done!.attemptsMade).toBeGreaterThanOrEqual(2);
    expect(done!.opts.backoff).toMatchObject({ type: 'exponential', jitter: 0.5 });
    // The failed attempt is recorded (its stack trace), not swallowed.
    expect(done!.stacktrace?.length ?? 0).toBeGreaterThanOrEqual(1);
  });
});
