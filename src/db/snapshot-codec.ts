import { createHash } from 'node:crypto';
import type { DetectionState } from '../graph/detection-state.js';
import { EVIDENCE_SLOTS } from '../graph/projected-graph.js';
import { isRecommendation } from '../vocabulary/index.js';
import { StateFormatError } from '../util/errors.js';

/**
 * The detection snapshot's file format (docs/incremental.md): one binary blob, a fixed prefix
 * (magic, format version, header length, SHA-256 of the rest), a JSON header, then typed arrays at
 * 8-byte offsets, so loading a million accounts' state is a few copies.
 */
export const STATE_FORMAT_VERSION = 1;
const MAGIC = 0x53445352; // 'RSDS' little-endian
const PREFIX = 48; // magic, version, header bytes, reserved, sha256 (32)

type Header = Omit<DetectionState, 'accounts' | 'digests' | 'src' | 'dst' | 'weight' | 'evidence' | 'community'> & {
  readonly accountBytes: number;
  readonly accountCount: number;
  readonly links: number;
};

const pad8 = (n: number): number => (n + 7) & ~7;

/** Serialise a state (checksummed). */
export function encodeState(s: DetectionState): Uint8Array {
  for (const a of s.accounts) if (a.includes('\n')) throw new StateFormatError(`account id ${JSON.stringify(a)} contains a newline`);
  const names = Buffer.from(s.accounts.join('\n'), 'utf8');
  const links = s.src.length;
  const header: Header = {
    runId: s.runId,
    storeId: s.storeId,
    paramsDigest: s.paramsDigest,
    drops: s.drops,
    sinceFull: s.sinceFull,
    fullRunId: s.fullRunId,
    clusters: s.clusters,
    accountBytes: names.length,
    accountCount: s.accounts.length,
    links,
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const sections: ArrayBufferView[] = [names, s.digests, s.community, s.src, s.dst, s.weight, s.evidence];
  let size = pad8(PREFIX + head.length);
  for (const x of sections) size = pad8(size + x.byteLength);
  const out = Buffer.alloc(size);
  head.copy(out, PREFIX);
  let at = pad8(PREFIX + head.length);
  for (const x of sections) {
    out.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), at);
    at = pad8(at + x.byteLength);
  }
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(STATE_FORMAT_VERSION, 4);
  out.writeUInt32LE(head.length, 8);
  createHash('sha256').update(out.subarray(PREFIX)).digest().copy(out, 16);
  return out;
}

/** Parse and verify a state; StateFormatError saying what is wrong. */
export function decodeState(bytes: Uint8Array): DetectionState {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < PREFIX || buf.readUInt32LE(0) !== MAGIC) throw new StateFormatError('not a detection state (bad magic)');
  const version = buf.readUInt32LE(4);
  if (version !== STATE_FORMAT_VERSION) throw new StateFormatError(`format version ${version}, this build reads ${STATE_FORMAT_VERSION}`);
  const sum = createHash('sha256').update(buf.subarray(PREFIX)).digest();
  if (!sum.equals(buf.subarray(16, 48))) throw new StateFormatError('checksum mismatch (corrupted or truncated)');
  const headLen = buf.readUInt32LE(8);
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(PREFIX, PREFIX + headLen).toString('utf8')) as Header;
  } catch {
    throw new StateFormatError('header is not JSON');
  }
  const n = header.accountCount;
  const m = header.links;
  let at = pad8(PREFIX + headLen);
  const take = (bytes: number): Uint8Array => {
    if (at + bytes > buf.length) throw new StateFormatError('truncated');
    // Copy into a fresh, aligned buffer: typed arrays need aligned offsets.
    const x = new Uint8Array(bytes);
    x.set(buf.subarray(at, at + bytes));
    at = pad8(at + bytes);
    return x;
  };
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
    accounts,
    digests,
    community,
    src,
    dst,
    weight,
    evidence,
  };
}
