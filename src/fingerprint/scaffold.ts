import { fmix32, mixStep } from '../util/hash.js';
import { PLACEHOLDER_HASH, TOK_WORD, hashSpan, type TokenBuffer } from './tokens.js';

/**
 * Scaffold fingerprints: a template is a fixed scaffold (role and instruction head, house-style
 * lines, output-format tail) around a task that changes every time. Whole-prompt resemblance
 * (Jaccard) falls as the task grows; the *containment* of the shared head and tail does not
 * (Broder 1997, "On the resemblance and containment of documents"). So only the leading and the
 * trailing token spans are fingerprinted, and inside them winnowing (Schleimer, Wilkerson & Aiken,
 * SIGMOD 2003) selects shingles by a local rule: the minimum hash of every window of `window`
 * consecutive shingles. What is selected inside a shared run depends only on that run, never on the
 * task beside it, and any shared run of ≥ window + shingle − 1 informative tokens yields at least one
 * common fingerprint. See docs/fingerprints.md.
 */
export interface ScaffoldOptions {
  /** Words per scaffold shingle. @defaultValue 7 */
  readonly shingle: number;
  /** Winnowing window, in shingles. @defaultValue 8 */
  readonly window: number;
  /** Tokens of the leading span (role, instruction and house-style lines). @defaultValue 32 */
  readonly head: number;
  /** Tokens of the trailing span (output-format tail). @defaultValue 32 */
  readonly tail: number;
  /** Hard bound on scaffold fingerprints per prompt. @defaultValue 16 */
  readonly max: number;
  /** Content words a shingle needs (not on STOPWORDS, not a placeholder). @defaultValue 3 */
  readonly minContent: number;
}

export const SCAFFOLD_DEFAULTS: ScaffoldOptions = { shingle: 7, window: 8, head: 32, tail: 32, max: 16, minContent: 3 };

/**
 * Function words and politeness formulae: a shingle made mostly of these ("can you help me with",
 * "thank you so much for") is what unrelated people write alike, so it carries no scaffold
 * evidence. An ordinary IR stop list plus the words of greetings, thanks and requests.
 */
export const STOPWORDS: readonly string[] = [
  'a',
  'an',
  'the',
  'and',
  'or',
  'but',
  'if',
  'then',
  'so',
  'as',
  'of',
  'to',
  'in',
  'on',
  'at',
  'by',
  'for',
  'with',
  'from',
  'into',
  'about',
  'over',
  'under',
  'up',
  'down',
  'out',
  'off',
  'than',
  'too',
  'very',
  'just',
  'also',
  'only',
  'not',
  'no',
  'yes',
  'all',
  'any',
  'some',
  'each',
  'this',
  'that',
  'these',
  'those',
  'there',
  'here',
  'it',
  'its',
  'i',
  'me',
  'my',
  'mine',
  'we',
  'us',
  'our',
  'you',
  'your',
  'yours',
  'he',
  'him',
  'his',
  'she',
  'her',
  'they',
  'them',
  'their',
  'what',
  'which',
  'who',
  'whom',
  'when',
  'where',
  'why',
  'how',
  'is',
  'am',
  'are',
  'was',
  'were',
  'be',
  'been',
  'being',
  'do',
  'does',
  'did',
  'done',
  'have',
  'has',
  'had',
  'having',
  'can',
  'could',
  'will',
  'would',
  'shall',
  'should',
  'may',
  'might',
  'must',
  'let',
  's',
  't',
  'm',
  've',
  'll',
  're',
  'd',
  'don',
  'get',
  'got',
  'make',
  'know',
  'think',
  'need',
  'want',
  'like',
  'really',
  'much',
  'many',
  'lot',
  'lots',
  'more',
  'most',
  'well',
  'thing',
  'something',
  'anything',
  'please',
  'pls',
  'help',
  'thanks',
  'thank',
  'thx',
  'hi',
  'hello',
  'hey',
  'dear',
  'ok',
  'okay',
  'sorry',
  'appreciate',
  'appreciated',
  'advance',
  'question',
  'quick',
  'hope',
  'again',
  'now',
  'one',
  'way',
];

const LANE_B = 0x2c1b3c6d;

/** Computes the scaffold shingles of a token stream. Reuses its buffers: not re-entrant. */
export class ScaffoldWinnower {
  /** Selected shingles of the last compute(): two independent 32-bit hashes each. */
  readonly laneA: Int32Array;
  readonly laneB: Int32Array;
  /** Token index where each selected shingle starts (for tests and debugging). */
  readonly starts: Int32Array;
  count = 0;
  private readonly stop: Int32Array;
  private readonly stopMask: number;
  private readonly content: Uint8Array;
  private readonly hashes: Float64Array;

  constructor(readonly options: ScaffoldOptions) {
    this.laneA = new Int32Array(options.max);
    this.laneB = new Int32Array(options.max);
    this.starts = new Int32Array(options.max);
    const spanTokens = options.head + options.tail;
    this.content = new Uint8Array(spanTokens);
    this.hashes = new Float64Array(spanTokens);
    let size = 64;
    while (size < STOPWORDS.length * 4) size *= 2;
    this.stop = new Int32Array(size);
    this.stopMask = size - 1;
    // Slot 0 of the hash table is "empty": a word hashing to 0 is never a stopword (p ≈ 2⁻³²).
    for (const w of STOPWORDS) {
      const h = hashSpan(w, 0, w.length);
      let i = h & this.stopMask;
      while (this.stop[i] !== 0 && this.stop[i] !== h) i = (i + 1) & this.stopMask;
      this.stop[i] = h;
    }
  }

  private isStop(h: number): boolean {
    if (h === 0) return false;
    let i = h & this.stopMask;
    for (;;) {
      const v = this.stop[i]!;
      if (v === h) return true;
      if (v === 0) return false;
      i = (i + 1) & this.stopMask;
    }
  }

  /** Select the scaffold shingles of `buf` into laneA/laneB; returns their number (≤ options.max). */
  compute(buf: TokenBuffer): number {
    const { shingle: k, head, tail, max } = this.options;
    const n = buf.n;
    this.count = 0;
    if (n < k) return 0;
    if (n <= head + tail) this.span(buf, 0, n, max);
    else {
      // Each span gets half the bound; whatever the head leaves unused goes to the tail.
      this.span(buf, 0, head, max >>> 1);
      this.span(buf, n - tail, n, max);
    }
    return this.count;
  }

  /** Winnow the shingles lying inside tokens [from, to), adding at most `limit − count` of them. */
  private span(buf: TokenBuffer, from: number, to: number, limit: number): void {
    const { shingle: k, window: w, minContent } = this.options;
    const len = to - from;
    const content = this.content;
    for (let t = 0; t < len; t++) {
      const kind = buf.kind[from + t]!;
      content[t] = kind === TOK_WORD && !this.isStop(buf.textHash[from + t]!) ? 1 : 0;
    }
    const m = len - k + 1;
    if (m <= 0) return;
    // Shingle hashes as unsigned values in a Float64Array; an uninformative shingle is +∞ and is never selected.
    const hs = this.hashes;
    let inWindow = 0;
    for (let q = 0; q < k - 1; q++) inWindow += content[q]!;
    for (let s = 0; s < m; s++) {
      inWindow += content[s + k - 1]!;
      if (inWindow >= minContent) {
        let x = 0x5ca4f01d;
        for (let q = 0; q < k; q++) x = mixStep(x, tokenHash(buf, from + s + q));
        hs[s] = fmix32(x ^ k);
      } else hs[s] = Infinity;
      inWindow -= content[s]!;
    }
    // Robust winnowing: the minimum of each window, the rightmost on ties; record a position when it changes.
    const win = Math.min(w, m);
    let last = -1;
    for (let s = 0; s + win <= m; s++) {
      let best = s;
      for (let q = s + 1; q < s + win; q++) if (hs[q]! <= hs[best]!) best = q;
      if (best === last || hs[best] === Infinity) continue;
      last = best;
      this.add(buf, from + best, hs[best]!, limit);
    }
  }

  private add(buf: TokenBuffer, at: number, h: number, limit: number): void {
    if (this.count >= limit) return;
    const a = h | 0;
    let b = LANE_B;
    for (let q = 0; q < this.options.shingle; q++) b = mixStep(b, tokenHash(buf, at + q));
    b = fmix32(b ^ this.options.shingle) | 0;
    // The same shingle can be selected twice (a phrase repeated, or head and tail spans alike): one id.
    for (let i = 0; i < this.count; i++) if (this.laneA[i] === a && this.laneB[i] === b) return;
    this.laneA[this.count] = a;
    this.laneB[this.count] = b;
    this.starts[this.count] = at;
    this.count++;
  }
}

function tokenHash(buf: TokenBuffer, t: number): number {
  const kind = buf.kind[t]!;
  return kind === TOK_WORD ? buf.textHash[t]! : PLACEHOLDER_HASH[kind]!;
}
