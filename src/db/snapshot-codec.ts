import type { DetectionState } from '../graph/detection-state.js';
import { EVIDENCE_SLOTS } from '../graph/projected-graph.js';
import { isRecommendation } from '../vocabulary/index.js';
import { StateFormatError } from '../util/errors.js';
import { decodeBlob, encodeBlob } from './blob-format.js';

/**
 * The detection snapshot's state file (docs/incremental.md), in the container of blob-format.ts:
 * a JSON header (run, store, parameters, drops, clusters, the input file's checksum) and the
 * accounts, digests, communities and links as typed arrays.
 */
export const STATE_FORMAT_VERSION = 2;
const MAGIC = 0x53445352; // 'RSDS' little-endian

type Header = Omit<DetectionState, 'accounts' | 'digests' | 'src' | 'dst' | 'weight' | 'evidence' | 'community'> & {
  readonly accountBytes: number;
  readonly accountCount: number;
  readonly links: number;
};

/** Serialise a state (checksummed). */
export function encodeState(s: DetectionState): Uint8Array {
  for (const a of s.accounts) if (a.includes('\n')) throw new StateFormatError(`account id ${JSON.stringify(a)} contains a newline`);
  const names = Buffer.from(s.accounts.join('\n'), 'utf8');
  const header: Header = {
    runId: s.runId,
    storeId: s.storeId,
    paramsDigest: s.paramsDigest,
    drops: s.drops,
    sinceFull: s.sinceFull,
    fullRunId: s.fullRunId,
    clusters: s.clusters,
    ...(s.inputSha256 === undefined ? {} : { inputSha256: s.inputSha256 }),
    ...(s.inputDeltaSha256 === undefined ? {} : { inputDeltaSha256: s.inputDeltaSha256 }),
    accountBytes: names.length,
    accountCount: s.accounts.length,
    links: s.src.length,
  };
  return encodeBlob(MAGIC, STATE_FORMAT_VERSION, header, [names, s.digests, s.community, s.src, s.dst, s.weight, s.evidence]);
}

/** Parse and verify a state; StateFormatError saying what is wrong. */
export function decodeState(bytes: Uint8Array): DetectionState {
  const { header, take } = decodeBlob<Header>(bytes, MAGIC, STATE_FORMAT_VERSION, 'detection state');
  const n = header.accountCount;
  const m = header.links;
  const names = Buffer.from(take(header.accountBytes)).toString('utf8');
  const accounts = n === 0 ? [] : names.split('\n');
  if (accounts.length !== n) throw new StateFormatError(`account table holds ${accounts.length} ids, header says ${n}`);
  const digests = new Uint32Array(take(n * 8).buffer);
  const community = new Int32Array(take(n * 4).buffer);
  const src = new Int32Array(take(m * 4).buffer);
  const dst = new Int32Array(take(m * 4).buffer);
  const weight = new Float64Array(take(m * 8).buffer);
  const evidence = new Float32Array(take(m * EVIDENCE_SLOTS * 4).buffer);
  for (const c of header.clusters) if (!isRecommendation(c.recommendation)) throw new StateFormatError(`cluster ${c.id}: unknown recommendation`);
  for (let i = 0; i < n; i++) if (community[i]! >= header.clusters.length) throw new StateFormatError(`account ${accounts[i]}: community out of range`);
  return {
    runId: header.runId,
    storeId: header.storeId,
    paramsDigest: header.paramsDigest,
    drops: header.drops,
    sinceFull: header.sinceFull,
    fullRunId: header.fullRunId,
    clusters: header.clusters,
    ...(header.inputSha256 === undefined ? {} : { inputSha256: header.inputSha256 }),
    ...(header.inputDeltaSha256 === undefined ? {} : { inputDeltaSha256: header.inputDeltaSha256 }),
    accounts,
    digests,
    community,
    src,
    dst,
    weight,
    evidence,
  };
}
