/**
 * The project's one set of non-cryptographic hashes and seeded generators (no allocation, no
 * crypto, stable across processes and platforms). Mixing constants are MurmurHash3's (Appleby,
 * public domain); FNV-1a is Fowler–Noll–Vo's; mulberry32 and splitmix32 are the usual 32-bit
 * generators. Every value that ids, MinHash salts, Louvain order or generated data depend on comes
 * from here, so changing one of these changes outputs: tests pin them.
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

/** 32-bit FNV-1a over a string's UTF-16 code units (cluster ids, per-component generator keys). */
export function fnv1a32(s: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** FNV-1a then the Murmur finaliser, length folded in: well mixed in every bit (rule keywords, placeholders). */
export function fnv1aMixed32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h ^ s.length);
}

/** Hash a list of numbers and strings into a uint32 (order-sensitive): the generator's keyed randomness. */
export function hash32(...parts: ReadonlyArray<number | string>): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    if (typeof p === 'number') {
      h = fmix32((h ^ (p >>> 0)) + 0x7f4a7c15);
      // keep the high bits of non-32-bit integers too (slot indices stay < 2^32, seeds may not)
      h = fmix32(h ^ Math.floor(p / 4294967296));
    } else {
      for (let i = 0; i < p.length; i++) h = fmix32(h ^ p.charCodeAt(i)) + i;
      h = fmix32(h ^ p.length);
    }
  }
  return h >>> 0;
}

/** 16 lowercase hex characters derived from the parts: random-looking, unrelated to what they name. */
export function hexId(...parts: ReadonlyArray<number | string>): string {
  const a = hash32(...parts, 'a');
  const b = hash32(...parts, 'b');
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** Deterministic splitmix32 stream of uint32 (MinHash seeds, the prompt synthesiser, xoshiro seeding). */
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

/** mulberry32: a tiny, fast, well-mixed 32-bit generator returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
