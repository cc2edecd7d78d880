import { describe, expect, it } from 'vitest';
import { Fingerprinter, MinHasher, PromptSynth, sCurve, type PromptFingerprint } from '../../src/fingerprint/index.js';
import { TokenBuffer, scan } from '../../src/fingerprint/tokens.js';
import { ConfigError } from '../../src/util/errors.js';

const shareBand = (a: PromptFingerprint, b: PromptFingerprint) => a.bands.some((x, i) => x === b.bands[i]);

describe('MinHash LSH fingerprints', () => {
  it('emits a fixed number of band ids of the documented shape', () => {
    const fp = new Fingerprinter();
    const r = fp.fingerprint('Explain the difference between TCP and UDP in two sentences.', 'You are helpful.');
    expect(r.bands).toHaveLength(20);
    r.bands.forEach((b, j) => expect(b).toMatch(new RegExp(`^m${j}:[0-9a-f]{24}$`)));
    expect(r.template).toMatch(/^t:[0-9a-f]{24}$/);
    expect(r.system).toMatch(/^s:[0-9a-f]{24}$/);
    expect(fp.fingerprint('').bands).toEqual([]);
    expect(fp.fingerprint('').template).toBeUndefined();
  });

  it('paraphrased and templated prompts of one template collide in at least one band', () => {
    const synth = new PromptSynth(11);
    const fp = new Fingerprinter();
    for (const paraphrase of [0.1, 0.25]) {
      let pairs = 0,
        hits = 0,
        isolated = 0;
      for (let f = 0; f < 60; f++) {
        const fam = synth.family();
        const v = Array.from({ length: 5 }, () => fp.fingerprint(synth.variant(fam, { paraphrase }).prompt));
        const linked = new Array<boolean>(v.length).fill(false);
        for (let i = 0; i < v.length; i++)
          for (let j = i + 1; j < v.length; j++) {
            pairs++;
            if (shareBand(v[i]!, v[j]!)) {
              hits++;
              linked[i] = linked[j] = true;
            }
          }
        isolated += linked.filter((x) => !x).length;
      }
      expect(pairs).toBe(600);
      // Pairwise: the S-curve at the families' Jaccard (≈ 0.7–0.9) predicts ≥ 99%.
      expect(hits / pairs).toBeGreaterThanOrEqual(0.99);
      // Every variant shares a band with another variant of its family: none is left out of its ring.
      expect(isolated).toBe(0);
    }
  });

  it('unrelated prompts collide in under 1% of ≥ 10,000 pairs', () => {
    const synth = new PromptSynth(12);
    const fp = new Fingerprinter();
    const texts = [...Array.from({ length: 80 }, () => synth.variant(synth.family()).prompt), ...Array.from({ length: 70 }, () => synth.ordinary())];
    const prints = texts.map((t) => fp.fingerprint(t));
    let pairs = 0,
      hits = 0;
    for (let i = 0; i < prints.length; i++)
      for (let j = i + 1; j < prints.length; j++) {
        pairs++;
        if (shareBand(prints[i]!, prints[j]!)) hits++;
      }
    expect(pairs).toBeGreaterThanOrEqual(10_000);
    expect(hits / pairs).toBeLessThan(0.01);
  });

  it('estimates Jaccard similarity without bias (checked against exact shingle sets)', () => {
    const synth = new PromptSynth(13);
    const buf = new TokenBuffer();
    const mh = new MinHasher(3, 32, 4);
    const shingles = (t: string) => {
      scan(t, buf);
      const words: string[] = [];
      for (let i = 0; i < buf.n; i++) words.push(`${buf.kind[i]}:${buf.kind[i] === 0 ? buf.textHash[i] : 0}`);
      const set = new Set<string>();
      for (let i = 0; i + 3 <= words.length; i++) set.add(words.slice(i, i + 3).join(' '));
      return set;
    };
    let bias = 0,
      absErr = 0;
    const n = 200;
    for (let k = 0; k < n; k++) {
      const fam = synth.family();
      const a = synth.variant(fam, { paraphrase: 0.4 }).prompt;
      const b = k % 2 ? synth.variant(fam, { paraphrase: 0.4 }).prompt : synth.variant(synth.family()).prompt;
      const sa = shingles(a),
        sb = shingles(b);
      let inter = 0;
      for (const x of sa) if (sb.has(x)) inter++;
      const exact = inter / (sa.size + sb.size - inter);
      mh.compute((scan(a, buf), buf));
      const ma = Int32Array.from(mh.mins);
      mh.compute((scan(b, buf), buf));
      const est = MinHasher.estimate(ma, mh.mins);
      bias += est - exact;
      absErr += Math.abs(est - exact);
    }
    expect(Math.abs(bias / n)).toBeLessThan(0.02);
    // Standard error of 128 min-hashes is ≤ 0.045; the mean absolute error must be in that range.
    expect(absErr / n).toBeLessThan(0.04);
  });

  it('follows the S-curve 1 - (1 - s^r)^b', () => {
    expect(sCurve(0.6, 20, 4)).toBeCloseTo(1 - Math.pow(1 - 0.1296, 20), 10);
    expect(sCurve(0.1, 20, 4)).toBeLessThan(0.01);
    expect(sCurve(0.7, 20, 4)).toBeGreaterThan(0.99);
  });

  it('keyed fingerprints differ from unkeyed ones and between keys, and are deterministic', () => {
    const text = 'Summarise this article about tea in five bullet points.';
    const plain = new Fingerprinter().fingerprint(text);
    const k1 = new Fingerprinter({ key: 'first-secret-key-0001' });
    const k2 = new Fingerprinter({ key: 'second-secret-key-002' });
    expect(k1.keyed).toBe(true);
    expect(k1.fingerprint(text)).toEqual(new Fingerprinter({ key: 'first-secret-key-0001' }).fingerprint(text));
    expect(k1.fingerprint(text).template).not.toBe(plain.template);
    expect(k1.fingerprint(text).template).not.toBe(k2.fingerprint(text).template);
    expect(k1.fingerprint(text).bands.filter((b, i) => b === plain.bands[i])).toEqual([]);
  });

  it('rejects bad options with ConfigError', () => {
    expect(() => new Fingerprinter({ rows: 12 })).toThrow(ConfigError);
    expect(() => new Fingerprinter({ bands: 0 })).toThrow(ConfigError);
    expect(() => new Fingerprinter({ key: 'short' })).toThrow(ConfigError);
    expect(() => new Fingerprinter({ hexChars: 40 })).toThrow(ConfigError);
  });
});
