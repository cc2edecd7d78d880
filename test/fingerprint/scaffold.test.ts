import { describe, expect, it } from 'vitest';
import { Fingerprinter, SCAFFOLD_DEFAULTS, type PromptFingerprint } from '../../src/fingerprint/index.js';
import { Rng, naturalTask, organicPrompt, scaffoldPrompt, scaffoldTemplate } from '../../src/generator/index.js';
import type { BuiltInCapability } from '../../src/vocabulary/capabilities.js';
import { ConfigError } from '../../src/util/errors.js';

const CAPS: BuiltInCapability[] = ['coding', 'agentic', 'cyber', 'reasoning', 'writing', 'other'];

interface Corpus {
  /** Template index per prompt, −1 for organic prompts. */
  readonly template: number[];
  readonly prints: PromptFingerprint[];
}

/** The held-out shape: 25 templates × 40 prompts (head and tail paraphrased), plus organic prompts. */
function corpus(seed: number, fp: Fingerprinter, synonyms: number, organic: number): Corpus {
  const rng = new Rng(seed);
  const template: number[] = [];
  const prints: PromptFingerprint[] = [];
  for (let t = 0; t < 25; t++) {
    const cap = CAPS[t % CAPS.length]!;
    const tpl = scaffoldTemplate(seed * 7919 + t, cap, t % 5 === 0 ? ['cot'] : t % 7 === 0 ? ['rubric'] : []);
    // A system prompt that unrelated templates share: it must not be what links a template.
    const system = 'You are a helpful assistant.';
    for (let i = 0; i < 40; i++) {
      template.push(t);
      prints.push(fp.fingerprint(scaffoldPrompt(tpl, cap, rng, { synonyms, caseChange: 0.2, lineBreaks: 0.6 }), system));
    }
  }
  for (let o = 0; o < organic; o++) {
    template.push(-1);
    prints.push(fp.fingerprint(organicPrompt(rng, CAPS[o % CAPS.length]!)));
  }
  return { template, prints };
}

/** Share of same-template and of unrelated pairs that share ≥ 1 id of the chosen kinds (system prompt left out). */
function pairRates(c: Corpus, ids: (p: PromptFingerprint) => string[]): { same: number; unrelated: number; organic: number } {
  const sets = c.prints.map((p) => new Set(ids(p)));
  let same = 0,
    sameHit = 0,
    un = 0,
    unHit = 0,
    org = 0,
    orgHit = 0;
  for (let i = 0; i < sets.length; i++)
    for (let j = i + 1; j < sets.length; j++) {
      let hit = false;
      for (const x of sets[i]!)
        if (sets[j]!.has(x)) {
          hit = true;
          break;
        }
      const ti = c.template[i]!,
        tj = c.template[j]!;
      if (ti >= 0 && ti === tj) {
        same++;
        if (hit) sameHit++;
      } else {
        un++;
        if (hit) unHit++;
        if (ti < 0 && tj < 0) {
          org++;
          if (hit) orgHit++;
        }
      }
    }
  return { same: sameHit / same, unrelated: unHit / un, organic: org ? orgHit / org : 0 };
}

const own = (p: PromptFingerprint): string[] => [...(p.template ? [p.template] : []), ...p.bands, ...p.scaffold];
const wholePrompt = (p: PromptFingerprint): string[] => [...(p.template ? [p.template] : []), ...p.bands];

describe('scaffold fingerprints', () => {
  const fp = new Fingerprinter();

  // Seeds and paraphrase strengths here were not used to choose the defaults (those were 1–5 at 0.3 and 0.6).
  for (const [seed, synonyms] of [
    [404, 0.3],
    [9001, 0.6],
    [31337, 0.9],
  ] as const) {
    it(`link same-template prompts in ≥ 95% of pairs and unrelated ones in < 0.5% (seed ${seed}, synonym rate ${synonyms})`, () => {
      const c = corpus(seed, fp, synonyms, 1000);
      const r = pairRates(c, own);
      expect(r.same).toBeGreaterThanOrEqual(0.95);
      expect(r.unrelated).toBeLessThan(0.005);
      expect(r.organic).toBeLessThan(0.005);
    });
  }

  it('are what links them: the whole-prompt kinds alone miss most same-template pairs, the shared system prompt links everything', () => {
    const c = corpus(77, fp, 0.3, 0);
    expect(pairRates(c, wholePrompt).same).toBeLessThan(0.5);
    expect(pairRates(c, (p) => [p.system!]).unrelated).toBe(1);
    // The system prompt gives no scaffold ids: they come from the prompt alone.
    const bare = fp.fingerprint('You are a helpful assistant.', 'Act as a meticulous tax accountant for a regional hospital and answer precisely.');
    expect(bare.scaffold).toEqual([]);
  });

  it('do not link organic prompts through popular phrases (greetings, "please help me with", thanks)', () => {
    const rng = new Rng(555);
    const openers = [
      'Hi! Please help me with this.',
      'Hello, can you help me with something?',
      'Quick question, sorry if this is a silly one.',
      'Hey there, I need some help please.',
    ];
    const closers = ['Thanks!', 'Thank you so much in advance for your help!', 'Any help is much appreciated.', 'Thanks a lot, really appreciate it!'];
    const prints = Array.from({ length: 400 }, (_, i) =>
      fp.fingerprint(`${openers[i % openers.length]} ${naturalTask(rng, CAPS[i % CAPS.length]!)} ${closers[i % closers.length]}`),
    );
    let pairs = 0,
      hits = 0;
    for (let i = 0; i < prints.length; i++)
      for (let j = i + 1; j < prints.length; j++) {
        // Same opener and closer, different task.
        if (i % openers.length !== j % openers.length || i % closers.length !== j % closers.length) continue;
        pairs++;
        const s = new Set(prints[i]!.scaffold);
        if (prints[j]!.scaffold.some((x) => s.has(x))) hits++;
      }
    expect(pairs).toBeGreaterThan(4000);
    expect(hits / pairs).toBeLessThan(0.005);
    // The same phrases are shingled like any text: with no content-word requirement they would link.
    const loose = new Fingerprinter({ scaffold: { minContent: 0 } });
    const a = loose.fingerprint(`${openers[1]} ${closers[1]}`),
      b = loose.fingerprint(`${openers[1]} ${closers[1]}`);
    expect(a.scaffold.length).toBeGreaterThan(0);
    expect(b.scaffold).toEqual(a.scaffold);
    expect(fp.fingerprint(`${openers[1]} ${closers[1]}`).scaffold).toEqual([]);
  });

  it('emit at most `max` ids per prompt, and depend only on the leading and trailing spans (containment, not resemblance)', () => {
    const rng = new Rng(8);
    const tpl = scaffoldTemplate(99, 'coding');
    const head = `${tpl.head.join(' ')} ${tpl.style.join(' ')}`;
    const tail = tpl.tail.join(' ');
    const short = fp.fingerprint(`${head}\n\n${naturalTask(rng, 'coding')}\n\n${tail}`);
    let longTask = '';
    while (longTask.split(' ').length < 5000) longTask += ' ' + naturalTask(rng, 'coding');
    const long = fp.fingerprint(`${head}\n\n${longTask}\n\n${tail}`);
    expect(long.scaffold.length).toBeLessThanOrEqual(SCAFFOLD_DEFAULTS.max);
    // A 5,000-word task does not drown the shared head and tail.
    expect(long.scaffold.filter((x) => short.scaffold.includes(x)).length).toBeGreaterThanOrEqual(4);
    // Two long prompts with the same spans and different middles have the same scaffold ids.
    const other = fp.fingerprint(`${head}\n\n${naturalTask(rng, 'coding')} ${longTask.slice(2000)}\n\n${tail}`);
    expect(other.scaffold).toEqual(long.scaffold);
    for (let i = 0; i < 200; i++) expect(fp.fingerprint(organicPrompt(rng, 'other')).scaffold.length).toBeLessThanOrEqual(SCAFFOLD_DEFAULTS.max);
    expect(fp.fingerprint('').scaffold).toEqual([]);
    expect(fp.fingerprint('Thanks!').scaffold).toEqual([]);
    const none = new Fingerprinter({ scaffold: false }).fingerprint(`${head} ${tail}`);
    expect(none.scaffold).toEqual([]);
    expect(none.bands).toEqual(fp.fingerprint(`${head} ${tail}`).bands);
  });

  it('are keyed (HMAC) when a key is set, deterministic, and shaped w:<hex>', () => {
    const text = scaffoldPrompt(scaffoldTemplate(3, 'cyber'), 'cyber', new Rng(1));
    const plain = fp.fingerprint(text).scaffold;
    const k1 = new Fingerprinter({ key: 'first-secret-key-0001' }).fingerprint(text).scaffold;
    const k1b = new Fingerprinter({ key: 'first-secret-key-0001' }).fingerprint(text).scaffold;
    const k2 = new Fingerprinter({ key: 'second-secret-key-002' }).fingerprint(text).scaffold;
    expect(plain.length).toBeGreaterThan(0);
    for (const id of [...plain, ...k1]) expect(id).toMatch(/^w:[0-9a-f]{24}$/);
    expect(k1b).toEqual(k1);
    expect(k1.filter((x) => plain.includes(x))).toEqual([]);
    expect(k1.filter((x) => k2.includes(x))).toEqual([]);
  });

  it('rejects bad scaffold options with ConfigError', () => {
    expect(() => new Fingerprinter({ scaffold: { shingle: 0 } })).toThrow(ConfigError);
    expect(() => new Fingerprinter({ scaffold: { max: 0 } })).toThrow(ConfigError);
    expect(() => new Fingerprinter({ scaffold: { head: 3 } })).toThrow(ConfigError);
    expect(() => new Fingerprinter({ scaffold: { minContent: 9 } })).toThrow(ConfigError);
  });
});
