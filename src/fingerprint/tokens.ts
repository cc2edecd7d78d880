import { CJK, CLASS, DIGIT, LOWER, LOWER_MAP, SPACE, UPPER, WORD } from './char-class.js';
import { fmix32, fnv1aMixed32 as hashString } from '../util/hash.js';

/**
 * The normalising scanner. One linear pass over the prompt turns it into a token stream in
 * reusable typed arrays: lowercased words, and placeholders for the parts a template swaps
 * (numbers, URLs, e-mails, quoted strings, code blocks, identifiers in code). No regex touches
 * prompt text and every look-ahead is bounded, so cost is linear in the prompt length.
 */

export const TOK_WORD = 0;
export const TOK_NUM = 1;
export const TOK_URL = 2;
export const TOK_EMAIL = 3;
export const TOK_QUOTE = 4;
export const TOK_CODE = 5;
export const TOK_ID = 6;

/** Placeholder text per token kind, as it appears in the normalised skeleton. */
export const PLACEHOLDERS = ['', '<num>', '<url>', '<email>', '<quote>', '<code>', '<id>'] as const;

/** What a token contributes to shingles and the template digest when it is a placeholder (fixed per kind). */
export const PLACEHOLDER_HASH = Int32Array.from(PLACEHOLDERS, (p, i) => (i === TOK_WORD ? 0 : hashString(p) | 0));

/** Longest inline `code` span and quoted string recognised; longer ones are left as text (bounds look-ahead). */
const MAX_INLINE = 200;
const MAX_QUOTE = 400;

/** Punctuation that may end a plain word before a space (the scanner's fast path). */
const SENTENCE_PUNCT = new Uint8Array(128);
for (const ch of '.,;:!?)]}') SENTENCE_PUNCT[ch.charCodeAt(0)] = 1;

const BACKTICK = 96,
  TILDE = 126,
  DQ = 34,
  LDQ = 0x201c,
  RDQ = 0x201d,
  SQ = 39,
  LSQ = 0x2018,
  RSQ = 0x2019,
  NL = 10;

/** Reusable token storage: parallel arrays, grown by doubling. */
export class TokenBuffer {
  n = 0;
  /** Fenced code blocks seen (``` or ~~~), before placeholder collapsing. */
  fences = 0;
  /** Identifier tokens seen, before placeholder collapsing. */
  identifiers = 0;
  kind = new Uint8Array(256);
  start = new Int32Array(256);
  end = new Int32Array(256);
  /** Words and identifiers: hash of the lowercased text (what rules match on). Placeholders: 0. */
  textHash = new Int32Array(256);

  reset(): void {
    this.n = 0;
    this.fences = 0;
    this.identifiers = 0;
  }

  private grow(): void {
    const cap = this.kind.length * 2;
    const k = new Uint8Array(cap),
      s = new Int32Array(cap),
      e = new Int32Array(cap),
      h = new Int32Array(cap);
    k.set(this.kind);
    s.set(this.start);
    e.set(this.end);
    h.set(this.textHash);
    this.kind = k;
    this.start = s;
    this.end = e;
    this.textHash = h;
  }

  push(kind: number, start: number, end: number, hash: number): void {
    const n = this.n;
    // Runs of one placeholder collapse ("1, 2, 3" → <num>): list lengths vary between uses of a template.
    if (kind !== TOK_WORD && n > 0 && this.kind[n - 1] === kind) {
      this.end[n - 1] = end;
      return;
    }
    if (n === this.kind.length) this.grow();
    this.kind[n] = kind;
    this.start[n] = start;
    this.end[n] = end;
    this.textHash[n] = hash;
    this.n = n + 1;
  }
}

/** FNV-1a of the lowercased span, then fmix32, as a signed int32 (stays a small integer in V8). */
export function hashSpan(s: string, a: number, b: number): number {
  let h = 0x811c9dc5;
  for (let i = a; i < b; i++) h = Math.imul(h ^ LOWER_MAP[s.charCodeAt(i)]!, 0x01000193);
  return fmix32(h ^ (b - a)) | 0;
}

function isWord(c: number): boolean {
  return (CLASS[c]! & WORD) !== 0;
}

/** Scan `s` into `buf` (reset first). */
export function scan(s: string, buf: TokenBuffer): void {
  buf.reset();
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    const k = CLASS[c]!;
    if (k & SPACE) {
      i++;
      continue;
    }
    if ((c === BACKTICK || c === TILDE) && s.charCodeAt(i + 1) === c && s.charCodeAt(i + 2) === c) {
      const close = s.indexOf(c === BACKTICK ? '```' : '~~~', i + 3);
      const end = close < 0 ? n : close + 3;
      buf.fences++;
      buf.push(TOK_CODE, i, end, 0);
      i = end;
      continue;
    }
    if (c === BACKTICK) {
      const lim = Math.min(n, i + 1 + MAX_INLINE);
      let j = i + 1;
      let ws = false;
      for (; j < lim; j++) {
        const d = s.charCodeAt(j);
        if (d === BACKTICK || d === NL) break;
        if (CLASS[d]! & SPACE) ws = true;
      }
      if (j < lim && j > i + 1 && s.charCodeAt(j) === BACKTICK) {
        if (ws) buf.push(TOK_CODE, i, j + 1, 0);
        else {
          buf.identifiers++;
          buf.push(TOK_ID, i, j + 1, hashSpan(s, i + 1, j));
        }
        i = j + 1;
        continue;
      }
      i++;
      continue;
    }
    if (c === DQ || c === LDQ) {
      const lim = Math.min(n, i + 1 + MAX_QUOTE);
      let j = i + 1;
      while (j < lim) {
        const d = s.charCodeAt(j);
        if (d === DQ || d === RDQ) break;
        j++;
      }
      if (j < lim && j > i + 1) {
        buf.push(TOK_QUOTE, i, j + 1, 0);
        i = j + 1;
      } else i++;
      continue;
    }
    if (c === SQ || c === LSQ) {
      // A single quote opens a quotation only at a word boundary (not "don't"), and closes
      // before a non-word character (not the apostrophe in "it's").
      if (i === 0 || !isWord(s.charCodeAt(i - 1))) {
        const lim = Math.min(n, i + 1 + MAX_QUOTE);
        let j = i + 1;
        for (; j < lim; j++) {
          const d = s.charCodeAt(j);
          if (d === NL) {
            j = lim;
            break;
          }
          if ((d === SQ || d === RSQ) && (j + 1 >= n || !isWord(s.charCodeAt(j + 1)))) break;
        }
        if (j < lim && j > i + 1) {
          buf.push(TOK_QUOTE, i, j + 1, 0);
          i = j + 1;
          continue;
        }
      }
      i++;
      continue;
    }
    if (k & CJK) {
      buf.push(TOK_WORD, i, i + 1, hashSpan(s, i, i + 1));
      i++;
      continue;
    }
    if (k & WORD && !(k & DIGIT)) {
      // Fast path for the commonest token, a plain word (letters only, no camelCase) ending in a space or in
      // sentence punctuation then a space: hash while scanning. Gives exactly what classify() would.
      let h = 0x811c9dc5;
      let j = i;
      let prevLower = false;
      let plain = true;
      for (; j < n; j++) {
        const d = s.charCodeAt(j);
        const cd = CLASS[d]!;
        if (!(cd & WORD) || cd & CJK) break;
        if (cd & DIGIT || (cd & UPPER && prevLower)) {
          plain = false;
          break;
        }
        prevLower = (cd & LOWER) !== 0;
        h = Math.imul(h ^ LOWER_MAP[d]!, 0x01000193);
      }
      if (plain) {
        const d = j < n ? s.charCodeAt(j) : 32;
        let next = -1;
        if (CLASS[d]! & SPACE) next = j;
        else if (SENTENCE_PUNCT[d] && (j + 1 >= n || CLASS[s.charCodeAt(j + 1)]! & SPACE)) next = j + 1;
        if (next >= 0) {
          buf.push(TOK_WORD, i, j, fmix32(h ^ (j - i)) | 0);
          i = next;
          continue;
        }
      }
    }
    let j = i + 1;
    for (; j < n; j++) {
      const d = s.charCodeAt(j);
      if (CLASS[d]! & (SPACE | CJK) || d === BACKTICK || d === DQ || d === LDQ || d === RDQ) break;
    }
    classify(s, i, j, buf);
    i = j;
  }
}

/** Classify one whitespace-delimited raw token [a0, b0). */
function classify(s: string, a0: number, b0: number, buf: TokenBuffer): void {
  let a = a0,
    b = b0;
  while (a < b && !isWord(s.charCodeAt(a))) a++;
  while (b > a && !isWord(s.charCodeAt(b - 1))) b--;
  if (a >= b) return;
  let at = -1,
    underscore = false,
    codePunct = false,
    slashes = 0,
    dotted = false,
    url = false,
    camel = 0,
    digitAfterLetter = false;
  for (let x = a0; x < b0; x++) {
    const d = s.charCodeAt(x);
    const cls = CLASS[d]!;
    if (cls & WORD) {
      if (cls & UPPER && x > a && CLASS[s.charCodeAt(x - 1)]! & LOWER) camel++;
      if (cls & DIGIT && x > a && (CLASS[s.charCodeAt(x - 1)]! & (WORD | DIGIT)) === WORD) digitAfterLetter = true;
      continue;
    }
    switch (d) {
      case 64: // @
        if (at < 0) at = x;
        break;
      case 95: // _
        underscore = true;
        break;
      case 40:
      case 61:
      case 91:
      case 123: // ( = [ {
        codePunct = true;
        break;
      case 47:
      case 92: // / \
        slashes++;
        break;
      case 58: // :
        if (s.charCodeAt(x + 1) === 47 && s.charCodeAt(x + 2) === 47) url = true;
        else if (s.charCodeAt(x + 1) === 58) codePunct = true;
        break;
      case 62: // >
        if (x > a0 && s.charCodeAt(x - 1) === 45) codePunct = true; // ->
        break;
      case 46: // . between word segments of ≥ 2 characters ("os.path", "main.py"; not "e.g.")
        if (x >= a + 2 && x + 2 < b && isWord(s.charCodeAt(x - 1)) && isWord(s.charCodeAt(x - 2)) && isWord(s.charCodeAt(x + 1)) && isWord(s.charCodeAt(x + 2)))
          dotted = true;
        break;
    }
  }
  if (
    url ||
    (b - a > 4 &&
      LOWER_MAP[s.charCodeAt(a)] === 119 &&
      LOWER_MAP[s.charCodeAt(a + 1)] === 119 &&
      LOWER_MAP[s.charCodeAt(a + 2)] === 119 &&
      s.charCodeAt(a + 3) === 46)
  ) {
    buf.push(TOK_URL, a, b, 0);
    return;
  }
  if (at > a && at < b - 1 && isWord(s.charCodeAt(at - 1))) {
    const dot = s.indexOf('.', at + 1);
    if (dot > at + 1 && dot < b - 1) {
      buf.push(TOK_EMAIL, a, b, 0);
      return;
    }
  }
  if (CLASS[s.charCodeAt(a)]! & DIGIT) {
    buf.push(TOK_NUM, a, b, 0);
    return;
  }
  if (underscore || codePunct || dotted || slashes >= 2 || digitAfterLetter || camel >= 2 || (camel === 1 && CLASS[s.charCodeAt(a)]! & LOWER)) {
    buf.identifiers++;
    buf.push(TOK_ID, a, b, hashSpan(s, a, b));
    return;
  }
  // A plain word, possibly joined by punctuation ("step-by-step", "don't"): one token per run of letters/digits.
  let x = a;
  while (x < b) {
    while (x < b && !isWord(s.charCodeAt(x))) x++;
    const st = x;
    while (x < b && isWord(s.charCodeAt(x))) x++;
    if (x > st) {
      if (CLASS[s.charCodeAt(st)]! & DIGIT) buf.push(TOK_NUM, st, x, 0);
      else buf.push(TOK_WORD, st, x, hashSpan(s, st, x));
    }
  }
}

/** The normalised skeleton as text: lowercased words and placeholders, single-spaced. For docs, tests and debugging. */
export function normalise(text: string, buf: TokenBuffer = new TokenBuffer()): string {
  scan(text, buf);
  const parts: string[] = [];
  for (let t = 0; t < buf.n; t++) {
    const kind = buf.kind[t]!;
    parts.push(kind === TOK_WORD ? text.slice(buf.start[t]!, buf.end[t]!).toLowerCase() : PLACEHOLDERS[kind]!);
  }
  return parts.join(' ');
}
