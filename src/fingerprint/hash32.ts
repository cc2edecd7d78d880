/**
 * Fast 32-bit hashing primitives for the hot path (no allocation, no crypto).
 * Mixing constants are MurmurHash3's (Appleby, public domain): `fmix32` is its finaliser,
 * `mixStep` its per-block step. Crypto is used only once per emitted fingerprint id.
 */

/** MurmurHash3 finaliser: a bijection on 32 bits with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3 block step: folds the 32-bit value `k` into the running hash `h`. */
export function mixStep(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** FNV-1a over a string's UTF-16 code units, then fmix32; for hashing rule keywords and placeholders. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h ^ s.length);
}

/** Deterministic splitmix32 stream, for the MinHash seeds and the synthesiser. */
export function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Hex of `n` 32-bit words (big-endian), truncated to `chars` characters. */
export function wordsToHex(words: ArrayLike<number>, chars: number): string {
  let out = '';
  for (let i = 0; out.length < chars; i++) {
    const w = words[i]! >>> 0;
    out += HEX[w >>> 24]! + HEX[(w >>> 16) & 255]! + HEX[(w >>> 8) & 255]! + HEX[w & 255]!;
  }
  return out.length > chars ? out.slice(0, chars) : out;
}
