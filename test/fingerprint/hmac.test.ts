import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WordHmac } from '../../src/fingerprint/hmac-sha256.js';

describe('WordHmac', () => {
  it('equals node:crypto HMAC-SHA256 for every message length and for short and long keys', () => {
    for (const key of ['0123456789abcdef', 'k'.repeat(64), 'a much longer key than one sha256 block, '.repeat(3)]) {
      const h = new WordHmac(key);
      for (let n = 0; n <= 13; n++) {
        const words = Array.from({ length: n }, (_, i) => (Math.imul(i + 1, 0x9e3779b9) ^ n) | 0);
        const bytes = Buffer.alloc(n * 4);
        words.forEach((w, i) => bytes.writeInt32BE(w, i * 4));
        const out = h.digest(words, n);
        const got = Buffer.alloc(32);
        out.forEach((w, i) => got.writeInt32BE(w, i * 4));
        expect(got.toString('hex')).toBe(createHmac('sha256', key).update(bytes).digest('hex'));
      }
    }
  });
});
