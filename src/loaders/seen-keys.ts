/**
 * A Bloom filter of the account ids and identifier keys already written by earlier batches of a file
 * (Bloom, "Space/time trade-offs in hash coding with allowable errors", CACM 1970), in a fixed 8 MiB
 * whatever the file size. It only decides the order of writes inside a transaction (see
 * batch-params.ts), never what is written, so a false positive costs a little parallelism and
 * nothing else.
 */
export class SeenKeys {
  private readonly bits: Uint32Array;
  private readonly mask: number;

  /** @param log2Bits size of the filter in bits, as a power of two (default 2^26 bits = 8 MiB) */
  constructor(log2Bits = 26) {
    this.bits = new Uint32Array(2 ** (log2Bits - 5));
    this.mask = 2 ** log2Bits - 1;
  }

  has(key: string): boolean {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const b = (h1 + i * h2) & this.mask;
      if ((this.bits[b >>> 5]! & (1 << (b & 31))) === 0) return false;
    }
    return true;
  }

  add(key: string): void {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const b = (h1 + i * h2) & this.mask;
      this.bits[b >>> 5]! |= 1 << (b & 31);
    }
  }
}

const PROBES = 3;

/** Two independent 32-bit FNV-1a hashes (different offset bases), combined by double hashing (Kirsch–Mitzenmacher). */
function hashes(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b | 1) >>> 0];
}
