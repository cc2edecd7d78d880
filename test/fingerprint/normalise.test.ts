import { describe, expect, it } from 'vitest';
import { fingerprintPrompt, normalise } from '../../src/fingerprint/index.js';

describe('normalise', () => {
  it('lowercases, collapses whitespace and drops punctuation', () => {
    expect(normalise('  Hello,\tWORLD!\n\nHow   are you?  ')).toBe('hello world how are you');
  });

  it('masks numbers (integers, decimals, dates, percentages, ordinals)', () => {
    expect(normalise('Take 3 apples')).toBe('take <num> apples');
    expect(normalise('pi is 3.14159 on 2026-11-23, 50% of the 2nd run')).toBe('pi is <num> on <num> of the <num> run');
  });

  it('collapses runs of one placeholder so list lengths do not matter', () => {
    expect(normalise('values 1, 2, 3, 4 and 5')).toBe('values <num> and <num>');
    expect(normalise('values 7 and 8')).toBe('values <num> and <num>');
  });

  it('masks URLs', () => {
    expect(normalise('see https://example.com/a?b=1#c and www.test.org/x now')).toBe('see <url> and <url> now');
  });

  it('masks e-mail addresses', () => {
    expect(normalise('write to Jane.Doe+x@mail.example.co.uk today')).toBe('write to <email> today');
  });

  it('masks quoted strings (straight and curly), but not apostrophes', () => {
    expect(normalise('Translate "good morning, friend" please')).toBe('translate <quote> please');
    expect(normalise('Translate \u201cgood night\u201d please')).toBe('translate <quote> please');
    expect(normalise("He said 'see you soon' and left")).toBe('he said <quote> and left');
    expect(normalise("don't stop, it's fine")).toBe('don t stop it s fine');
  });

  it('masks fenced code blocks (``` and ~~~), also when unclosed', () => {
    expect(normalise('Fix:\n```python\ndef f(x):\n    return "x"\n```\nthanks')).toBe('fix <code> thanks');
    expect(normalise('Fix:\n~~~\nint main() {}\n~~~\nthanks')).toBe('fix <code> thanks');
    expect(normalise('Fix: ```js\nlet a = 1;')).toBe('fix <code>');
  });

  it('masks identifiers in code: inline code, snake_case, camelCase, dotted names, calls, paths', () => {
    expect(normalise('call `parseConfig` first')).toBe('call <id> first');
    expect(normalise('run `npm run build` first')).toBe('run <code> first');
    expect(normalise('the get_user helper')).toBe('the <id> helper');
    expect(normalise('the getUserName helper')).toBe('the <id> helper');
    expect(normalise('use os.path here')).toBe('use <id> here');
    expect(normalise('call load(x) here')).toBe('call <id> here');
    expect(normalise('edit src/app/main here')).toBe('edit <id> here');
    expect(normalise('a Foo::bar or p->next here')).toBe('a <id> or <id> here');
  });

  it('keeps ordinary capitalised words and abbreviations as words', () => {
    expect(normalise('JavaScript and GitHub, e.g. NASA')).toBe('javascript and github e g nasa');
  });

  it('gives one template for prompts that differ only in masked material, case and spacing', () => {
    const a = fingerprintPrompt('Write a Python function that sorts 10 items. Input:\n```\nx = [3,1,2]\n```\nEmail me at a@b.io');
    const b = fingerprintPrompt('write a python   function that sorts 250 items.  input: ```\ny = load_rows()\n``` email me at zed@corp.example.com');
    const c = fingerprintPrompt('Write a Python function that reverses 10 items. Input: ```x```');
    expect(a.template).toBe(b.template);
    expect(a.bands).toEqual(b.bands);
    expect(c.template).not.toBe(a.template);
  });

  it('splits CJK text into characters', () => {
    expect(normalise('日本語 text')).toBe('日 本 語 text');
  });

  it('leaves an unclosed quote or backtick as text (look-ahead is bounded)', () => {
    expect(normalise('"' + 'word '.repeat(1000)).split(' ')).toHaveLength(1000);
    expect(normalise("it is ' open and `also open")).toBe('it is open and also open');
  });
});
