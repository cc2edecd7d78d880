import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DetectionState } from '../graph/detection-state.js';
import type { LinkageInput } from '../graph/types.js';
import { blobSha256 } from './blob-format.js';
import { decodeDelta, decodeInput, encodeDelta, encodeInput } from './input-codec.js';
import { patchInput, type InputDelta } from '../graph/input-patch.js';
import { decodeState, encodeState } from './snapshot-codec.js';
import { writeFileAtomic } from '../export/atomic-write.js';
import { hash32 } from '../util/hash.js';
import { StateFormatError } from '../util/errors.js';
import type { Neo4jClient } from './neo4j-client.js';

/**
 * The detection snapshot (docs/incremental.md): `<dir>/detection-state.bin` and the input it was
 * detected on, `<dir>/detection-input.bin` plus, after incremental runs, one delta file beside it
 * (`detection-input-delta-<sha>.bin`: the nights since, composed), each named by its checksum in
 * the state and written atomically after the run it describes has finished, the input files
 * first. Before an incremental run they are loaded and checked against the store; any doubt means
 * a full run (or, for the input alone, a whole-graph read), and the reason is recorded with the run.
 */
export const SNAPSHOT_FILE = 'detection-state.bin';
export const INPUT_FILE = 'detection-input.bin';
const DELTA_PREFIX = 'detection-input-delta-';
/** The delta file of a given checksum. */
export const deltaFile = (sha256: string): string => `${DELTA_PREFIX}${sha256.slice(0, 16)}.bin`;
/**
 * An incremental run writes the input whole again (and no delta) once the composed delta would
 * exceed this share of the input file's bytes: past it, reading the delta costs a fair part of
 * reading the input, and encoding the input once costs less than carrying the delta further.
 */
export const DELTA_COMPACT_SHARE = 0.25;

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

/** How the input a state was detected on is kept: the input whole, or the state's input file with a delta. */
export type SnapshotInput =
  | { readonly whole: LinkageInput }
  | {
      /** The input the run detected on (written whole instead when the delta has grown past `compactShare`). */
      readonly whole: LinkageInput;
      /** The input file it was patched from (the previous state's inputSha256) and the delta since, composed. */
      readonly base: { readonly sha256: string; readonly delta: InputDelta };
    };

/**
 * Write the input files (when given) and then the state naming them; then delete delta files the
 * state does not name. Given a base, the input file stays and only the delta is written, unless the
 * delta's bytes exceed `compactShare` of that file's (DELTA_COMPACT_SHARE) or the file is not the
 * base: then the input is written whole.
 */
export async function writeSnapshot(dir: string, state: DetectionState, input?: SnapshotInput, compactShare = DELTA_COMPACT_SHARE): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  const { inputSha256: _i, inputDeltaSha256: _d, ...rest } = state;
  let named: DetectionState = rest;
  if (input && 'base' in input) {
    const bytes = encodeDelta(input.base.delta);
    const file = await inputFilePrefix(dir);
    if (file && file.sha256 === input.base.sha256 && bytes.length <= compactShare * file.size) {
      await writeFileAtomic(path.join(dir, deltaFile(blobSha256(bytes))), bytes);
      named = { ...rest, inputSha256: input.base.sha256, inputDeltaSha256: blobSha256(bytes) };
    }
  }
  if (input && named.inputSha256 === undefined) {
    const bytes = encodeInput(input.whole);
    await writeFileAtomic(path.join(dir, INPUT_FILE), bytes);
    named = { ...rest, inputSha256: blobSha256(bytes) };
  }
  await writeFileAtomic(path.join(dir, SNAPSHOT_FILE), encodeState(named));
  // A delta file a crash left, or one an earlier state named: the state just written names no other.
  const keep = named.inputDeltaSha256 === undefined ? undefined : deltaFile(named.inputDeltaSha256);
  for (const f of await fsp.readdir(dir)) if (f.startsWith(DELTA_PREFIX) && f !== keep) await fsp.rm(path.join(dir, f), { force: true });
}

/** The input file's size and the checksum its prefix holds (no more of it is read); undefined when there is none. */
async function inputFilePrefix(dir: string): Promise<{ size: number; sha256: string } | undefined> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(path.join(dir, INPUT_FILE), 'r');
    const { size } = await fh.stat();
    const prefix = Buffer.alloc(48);
    const { bytesRead } = await fh.read(prefix, 0, 48, 0);
    return bytesRead === 48 ? { size, sha256: blobSha256(prefix) } : undefined;
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

/** The input a state names: its input file, and the delta beside it when it names one. */
export interface HeldInput {
  readonly base: LinkageInput;
  /** The input file's SHA-256 (the state's inputSha256): what the next delta is written against. */
  readonly baseSha256: string;
  readonly delta: InputDelta | undefined;
}

/** The input the state's run detected on: the input file patched with its delta. */
export function heldInput(held: HeldInput): LinkageInput {
  return held.delta ? patchInput(held.base, held.delta) : held.base;
}

/**
 * The input the state was detected on, or why it cannot be used: none written with the state, no
 * file, another file than the state names (a crash between the writes), or a corrupted one.
 */
export async function readSnapshotInput(dir: string, state: DetectionState): Promise<HeldInput | { reason: string }> {
  if (state.inputSha256 === undefined) return { reason: 'the snapshot holds no input' };
  const load = async (name: string, sha256: string): Promise<Buffer | { reason: string }> => {
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(path.join(dir, name));
    } catch (err) {
      return { reason: `${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
    if (bytes.length < 48 || blobSha256(bytes) !== sha256) return { reason: `${name} is not the input the state names` };
    return bytes;
  };
  const baseBytes = await load(INPUT_FILE, state.inputSha256);
  if ('reason' in baseBytes) return baseBytes;
  const deltaBytes = state.inputDeltaSha256 === undefined ? undefined : await load(deltaFile(state.inputDeltaSha256), state.inputDeltaSha256);
  if (deltaBytes && 'reason' in deltaBytes) return deltaBytes;
  try {
    return { base: decodeInput(baseBytes), baseSha256: state.inputSha256, delta: deltaBytes ? decodeDelta(deltaBytes) : undefined };
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
