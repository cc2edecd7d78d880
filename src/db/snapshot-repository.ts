import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DetectionState } from '../graph/detection-state.js';
import type { LinkageInput } from '../graph/types.js';
import { blobSha256 } from './blob-format.js';
import { decodeInput, encodeInput } from './input-codec.js';
import { decodeState, encodeState } from './snapshot-codec.js';
import { writeFileAtomic } from '../export/atomic-write.js';
import { hash32 } from '../util/hash.js';
import { StateFormatError } from '../util/errors.js';
import type { Neo4jClient } from './neo4j-client.js';

/**
 * The detection snapshot (docs/incremental.md): `<dir>/detection-state.bin` and the input it was
 * detected on, `<dir>/detection-input.bin` (named by its checksum in the state), each written
 * atomically after the run it describes has finished, the input first. Before an incremental run
 * they are loaded and checked against the store; any doubt means a full run (or, for the input
 * alone, a whole-graph read), and the reason is recorded with the run.
 */
export const SNAPSHOT_FILE = 'detection-state.bin';
export const INPUT_FILE = 'detection-input.bin';

/** Why a run is full rather than incremental (recorded as `params.fullReason`). */
export type FullReason =
  'requested' | 'scheduled' | 'no-snapshot' | 'unreadable' | 'corrupted' | 'foreign-store' | 'foreign-params' | 'stale-run' | 'stale-drops' | 'disabled';

export type SnapshotCheck =
  | { readonly ok: true; readonly state: DetectionState; readonly newDrops: readonly string[] }
  | { readonly ok: false; readonly reason: FullReason; readonly detail: string };

/** Identity of the Neo4j database (db.info id; changes when the database is recreated). */
export async function storeIdentity(client: Neo4jClient): Promise<string> {
  const res = await client.query('CALL db.info() YIELD id, name RETURN id + "/" + name AS id', {}, 'READ');
  return String(res.records[0]?.get('id') ?? '');
}

/** Drop ledger entries as `id@sha256`, sorted. */
export async function ledgerDrops(client: Neo4jClient): Promise<string[]> {
  const res = await client.query("MATCH (d:Drop) RETURN d.id + '@' + d.sha256 AS k ORDER BY k", {}, 'READ');
  return res.records.map((r) => String(r.get('k')));
}

/** A short digest of the parameters a state depends on (JSON with sorted keys). */
export function paramsDigest(params: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  const s = JSON.stringify(canon(params));
  return `${hash32(s, 'a').toString(16).padStart(8, '0')}${hash32(s, 'b').toString(16).padStart(8, '0')}`;
}

/** Read the snapshot file; undefined when there is none. StateFormatError when it is not a usable state. */
export async function readSnapshot(dir: string): Promise<DetectionState | undefined> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(path.join(dir, SNAPSHOT_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return decodeState(bytes);
}

/** Write the input (when given) and then the state naming it. */
export async function writeSnapshot(dir: string, state: DetectionState, input?: LinkageInput): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  let named = state;
  if (input) {
    const bytes = encodeInput(input);
    await writeFileAtomic(path.join(dir, INPUT_FILE), bytes);
    named = { ...state, inputSha256: blobSha256(bytes) };
  } else {
    const { inputSha256: _none, ...rest } = state;
    named = rest;
  }
  await writeFileAtomic(path.join(dir, SNAPSHOT_FILE), encodeState(named));
}

/**
 * The input the state was detected on, or why it cannot be used: none written with the state, no
 * file, another file than the state names (a crash between the two writes), or a corrupted one.
 */
export async function readSnapshotInput(dir: string, state: DetectionState): Promise<{ input: LinkageInput } | { reason: string }> {
  if (state.inputSha256 === undefined) return { reason: 'the snapshot holds no input' };
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(path.join(dir, INPUT_FILE));
  } catch (err) {
    return { reason: `${INPUT_FILE}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  if (bytes.length < 48 || blobSha256(bytes) !== state.inputSha256) return { reason: `${INPUT_FILE} is not the input the state names` };
  try {
    return { input: decodeInput(bytes) };
  } catch (err) {
    if (err instanceof StateFormatError) return { reason: err.message };
    throw err;
  }
}

/**
 * Load the snapshot and check it against the store: same database, same detection parameters, its
 * run still the newest finished run (no run happened without it), and every drop it includes still
 * in the ledger. The drops since are `newDrops`.
 */
export async function checkSnapshot(
  client: Neo4jClient,
  dir: string,
  expect: { readonly paramsDigest: string; readonly latestRunId: string | undefined },
): Promise<SnapshotCheck> {
  let state: DetectionState | undefined;
  try {
    state = await readSnapshot(dir);
  } catch (err) {
    if (err instanceof StateFormatError) return { ok: false, reason: 'corrupted', detail: err.message };
    return { ok: false, reason: 'unreadable', detail: (err as Error).message };
  }
  if (!state) return { ok: false, reason: 'no-snapshot', detail: `no ${SNAPSHOT_FILE} in the state dir` };
  const store = await storeIdentity(client);
  if (state.storeId !== store) return { ok: false, reason: 'foreign-store', detail: `snapshot of store ${state.storeId}, this is ${store}` };
  if (state.paramsDigest !== expect.paramsDigest) {
    return { ok: false, reason: 'foreign-params', detail: `snapshot made with parameters ${state.paramsDigest}, this run has ${expect.paramsDigest}` };
  }
  if (state.runId !== expect.latestRunId) {
    return { ok: false, reason: 'stale-run', detail: `snapshot of run ${state.runId}, the newest finished run is ${expect.latestRunId ?? 'none'}` };
  }
  const drops = await ledgerDrops(client);
  const have = new Set(drops);
  const lost = state.drops.filter((d) => !have.has(d));
  if (lost.length) return { ok: false, reason: 'stale-drops', detail: `${lost.length} drop(s) of the snapshot no longer in the ledger (${lost[0]})` };
  const included = new Set(state.drops);
  return { ok: true, state, newDrops: drops.filter((d) => !included.has(d)) };
}
