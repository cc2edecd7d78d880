import { createHash } from 'node:crypto';
import { StateFormatError } from '../util/errors.js';

/**
 * The binary container of the detection snapshot's files (docs/incremental.md): a fixed prefix
 * (magic, format version, header length, SHA-256 of everything after the prefix), a JSON header,
 * then sections (typed arrays or bytes) at 8-byte offsets, so loading a million accounts is a few
 * copies. snapshot-codec.ts and input-codec.ts give the sections their meaning.
 */
const PREFIX = 48; // magic, version, header bytes, reserved, sha256 (32)

const pad8 = (n: number): number => (n + 7) & ~7;

/** Serialise a header and sections (checksummed). */
export function encodeBlob(magic: number, version: number, header: unknown, sections: readonly ArrayBufferView[]): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  let size = pad8(PREFIX + head.length);
  for (const x of sections) size = pad8(size + x.byteLength);
  const out = Buffer.alloc(size);
  head.copy(out, PREFIX);
  let at = pad8(PREFIX + head.length);
  for (const x of sections) {
    out.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), at);
    at = pad8(at + x.byteLength);
  }
  out.writeUInt32LE(magic, 0);
  out.writeUInt32LE(version, 4);
  out.writeUInt32LE(head.length, 8);
  createHash('sha256').update(out.subarray(PREFIX)).digest().copy(out, 16);
  return out;
}

/** A verified blob: its header and a reader of its sections in order. */
export interface Blob<H> {
  readonly header: H;
  /** The next section's bytes, copied into a fresh (aligned) buffer; StateFormatError when truncated. */
  take(bytes: number): Uint8Array;
  /** The SHA-256 (hex) the prefix holds: names this blob from another file. */
  readonly sha256: string;
}

/** Parse and verify a blob; StateFormatError saying what is wrong (`what` names the kind of file). */
export function decodeBlob<H>(bytes: Uint8Array, magic: number, version: number, what: string): Blob<H> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < PREFIX || buf.readUInt32LE(0) !== magic) throw new StateFormatError(`not a ${what} (bad magic)`);
  const v = buf.readUInt32LE(4);
  if (v !== version) throw new StateFormatError(`${what}: format version ${v}, this build reads ${version}`);
  const sum = createHash('sha256').update(buf.subarray(PREFIX)).digest();
  if (!sum.equals(buf.subarray(16, 48))) throw new StateFormatError(`${what}: checksum mismatch (corrupted or truncated)`);
  const headLen = buf.readUInt32LE(8);
  let header: H;
  try {
    header = JSON.parse(buf.subarray(PREFIX, PREFIX + headLen).toString('utf8')) as H;
  } catch {
    throw new StateFormatError(`${what}: header is not JSON`);
  }
  let at = pad8(PREFIX + headLen);
  return {
    header,
    sha256: sum.toString('hex'),
    take(n: number): Uint8Array {
      if (at + n > buf.length) throw new StateFormatError(`${what}: truncated`);
      const x = new Uint8Array(n);
      x.set(buf.subarray(at, at + n));
      at = pad8(at + n);
      return x;
    },
  };
}

/** The SHA-256 (hex) of an encoded blob, as decodeBlob reports it. */
export function blobSha256(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + 16, 32).toString('hex');
}
