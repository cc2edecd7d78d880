/**
 * Per-UTF-16-code-unit lookup tables, built once: the scanner never runs a regex on prompt text,
 * so there is no backtracking and cost is linear in the prompt length.
 */

/** Letter or digit (Unicode \p{L} / \p{N}, BMP). */
export const WORD = 1;
/** ASCII 0-9. */
export const DIGIT = 2;
/** Uppercase letter. */
export const UPPER = 4;
/** Whitespace (Unicode \s). */
export const SPACE = 8;
/** Han / Hiragana / Katakana: each character is its own token (these scripts use no spaces). */
export const CJK = 16;
/** Lowercase letter. */
export const LOWER = 32;

export const CLASS = new Uint8Array(65536);
/** Lowercase mapping per code unit (identity where toLowerCase would change the length). */
export const LOWER_MAP = new Uint16Array(65536);

{
  const word = /[\p{L}\p{N}]/u;
  const space = /\s/u;
  const upper = /\p{Lu}/u;
  const lower = /\p{Ll}/u;
  const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
  for (let c = 0; c < 65536; c++) {
    LOWER_MAP[c] = c;
    if (c >= 0xd800 && c <= 0xdfff) continue; // surrogate halves: astral symbols act as separators
    const ch = String.fromCharCode(c);
    let k = 0;
    if (word.test(ch)) k |= WORD;
    if (c >= 48 && c <= 57) k |= DIGIT;
    if (space.test(ch)) k |= SPACE;
    if (upper.test(ch)) k |= UPPER;
    if (lower.test(ch)) k |= LOWER;
    if (cjk.test(ch)) k |= CJK;
    CLASS[c] = k;
    const l = ch.toLowerCase();
    if (l.length === 1) LOWER_MAP[c] = l.charCodeAt(0);
  }
}
