import type { BuiltInCapability } from '../vocabulary/capabilities.js';
import type { PromptMarker } from '../graph/types.js';
import { ConfigError } from '../util/errors.js';
import { fmix32, mixStep, wordsToHex } from '../util/hash.js';
import { HMAC_MAX_WORDS, WordHmac } from './hmac-sha256.js';
import { MinHasher } from './minhash.js';
import { CompiledRules, DEFAULT_RULES, type FingerprintRules } from './rules.js';
import { SCAFFOLD_DEFAULTS, ScaffoldWinnower, type ScaffoldOptions } from './scaffold.js';
import { PLACEHOLDER_HASH, TOK_WORD, TokenBuffer, scan } from './tokens.js';
import { stripUndefined } from '../util/defined.js';

export interface FingerprintOptions {
  /** Words per shingle (k). @defaultValue 3 */
  readonly shingle: number;
  /** LSH bands, i.e. `minhash` fingerprints per prompt (b). @defaultValue 20 */
  readonly bands: number;
  /** Min-hashes per band (r); at most 11. @defaultValue 4 */
  readonly rows: number;
  /**
   * Secret for keyed fingerprints (HMAC-SHA256), at least 16 characters. Unset: a fast unkeyed
   * 128-bit hash (MurmurHash3 mixing), so anyone with the code can test a guessed prompt.
   * @defaultValue undefined
   */
  readonly key: string | undefined;
  /** Hex characters per fingerprint (8..32, even). @defaultValue 24 */
  readonly hexChars: number;
  /** Capability and marker rules. @defaultValue DEFAULT_RULES */
  readonly rules: FingerprintRules;
  /**
   * Scaffold fingerprints (winnowed shingles of the leading and trailing spans, see scaffold.ts);
   * `false` emits none; a partial object is merged with SCAFFOLD_DEFAULTS. @defaultValue SCAFFOLD_DEFAULTS
   */
  readonly scaffold: ScaffoldOptions | false;
}

/** What callers pass: every option optional, scaffold options partial too (merged with SCAFFOLD_DEFAULTS). */
export type FingerprintOverrides = Partial<Omit<FingerprintOptions, 'scaffold'>> & { readonly scaffold?: Partial<ScaffoldOptions> | false };

export const DEFAULTS: FingerprintOptions = {
  shingle: 3,
  bands: 20,
  rows: 4,
  key: undefined,
  hexChars: 24,
  rules: DEFAULT_RULES,
  scaffold: SCAFFOLD_DEFAULTS,
};

/** The fingerprints of one prompt. Ids are opaque: `t:<hex>`, `m<band>:<hex>`, `w:<hex>`, `s:<hex>`. */
export interface PromptFingerprint {
  /** Hash of the normalised skeleton; undefined when the prompt has no tokens. */
  readonly template: string | undefined;
  /** One id per LSH band (`bands` of them), empty when the prompt has no tokens. */
  readonly bands: string[];
  /** Scaffold ids (at most `scaffold.max`), empty when the prompt has fewer tokens than a shingle. */
  readonly scaffold: string[];
  /** Hash of the normalised system prompt, when one was given and it has tokens. */
  readonly system: string | undefined;
  readonly capability: BuiltInCapability;
  readonly markers: PromptMarker[];
}

const TAG_TEMPLATE = 0x74656d70; // "temp"
const TAG_SYSTEM = 0x73797374; // "syst"
const TAG_BAND = 0x62616e64; // "band"
const TAG_SCAFFOLD = 0x73636166; // "scaf"
const LANE_SEEDS = [0x1b873593, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f];

/**
 * Turns prompts into fingerprints. Holds reusable buffers (constant memory per prompt), so one
 * instance must not be shared between concurrent callers; it is synchronous, so in one Node thread
 * that cannot happen.
 */
export class Fingerprinter {
  readonly options: FingerprintOptions;
  private readonly buf = new TokenBuffer();
  private readonly sysBuf = new TokenBuffer();
  private readonly minhash: MinHasher;
  private readonly winnower: ScaffoldWinnower | undefined;
  private readonly rules: CompiledRules;
  private readonly hmac: WordHmac | undefined;
  private readonly msg = new Int32Array(HMAC_MAX_WORDS);
  /** 32-bit words per id that carry information: ceil(hexChars / 8). */
  readonly wordsPerId: number;
  /** Scratch results of the last compute(). */
  idCount = 0;
  readonly idTags: Int32Array;
  readonly idWords: Int32Array;
  capability: BuiltInCapability = 'other';
  markers: PromptMarker[] = [];

  constructor(opts: FingerprintOverrides = {}) {
    const merged = { ...DEFAULTS, ...stripUndefined(opts) };
    const o: FingerprintOptions = { ...merged, scaffold: merged.scaffold === false ? false : { ...SCAFFOLD_DEFAULTS, ...merged.scaffold } };
    if (!Number.isInteger(o.shingle) || o.shingle < 1 || o.shingle > 16) throw new ConfigError('fingerprint.shingle', 'must be an integer in 1..16');
    if (!Number.isInteger(o.bands) || o.bands < 1 || o.bands > 256) throw new ConfigError('fingerprint.bands', 'must be an integer in 1..256');
    if (!Number.isInteger(o.rows) || o.rows < 1 || o.rows > HMAC_MAX_WORDS - 2)
      throw new ConfigError('fingerprint.rows', `must be an integer in 1..${HMAC_MAX_WORDS - 2}`);
    if (!Number.isInteger(o.hexChars) || o.hexChars < 8 || o.hexChars > 32 || o.hexChars % 2)
      throw new ConfigError('fingerprint.hexChars', 'must be an even integer in 8..32');
    if (o.key !== undefined && (typeof o.key !== 'string' || o.key.length < 16)) throw new ConfigError('fingerprint.key', 'must be at least 16 characters');
    if (o.scaffold !== false) validateScaffold(o.scaffold);
    this.options = Object.freeze(o);
    this.minhash = new MinHasher(o.shingle, o.bands, o.rows);
    this.winnower = o.scaffold === false ? undefined : new ScaffoldWinnower({ ...o.scaffold });
    this.rules = new CompiledRules(o.rules);
    this.hmac = o.key === undefined ? undefined : new WordHmac(o.key);
    this.wordsPerId = (o.hexChars + 7) >>> 3;
    const maxIds = o.bands + 2 + (o.scaffold === false ? 0 : o.scaffold.max);
    this.idTags = new Int32Array(maxIds);
    this.idWords = new Int32Array(maxIds * 4);
  }

  /** Whether ids are keyed (HMAC-SHA256) rather than plain hashes. */
  get keyed(): boolean {
    return this.hmac !== undefined;
  }

  /**
   * Fingerprint one prompt into this instance's scratch fields (`idCount`, `idTags`, `idWords`,
   * `capability`, `markers`) without building strings: the streaming path aggregates on these words.
   * Returns `idCount`. Ids: the template (tag ID_TEMPLATE), then bands 0..b-1 (tag = band), then the
   * scaffold ids (tag ID_SCAFFOLD), then the system prompt (tag ID_SYSTEM); an empty prompt has no
   * template, bands or scaffold ids. The system prompt never gives scaffold ids: it is not the template.
   */
  compute(text: string, system?: string | null): number {
    const { bands, rows } = this.options;
    this.rules.begin();
    scan(text, this.buf);
    this.rules.match(this.buf);
    let hasSystem = false;
    if (system !== undefined && system !== null && system !== '') {
      scan(system, this.sysBuf);
      this.rules.match(this.sysBuf);
      hasSystem = this.sysBuf.n > 0;
    }
    const r = this.rules.result();
    this.capability = r.capability;
    this.markers = r.markers;
    let n = 0;
    if (this.buf.n > 0) {
      this.digest(this.buf, TAG_TEMPLATE, n++, ID_TEMPLATE);
      this.minhash.compute(this.buf);
      const mins = this.minhash.mins;
      const msg = this.msg;
      for (let j = 0; j < bands; j++) {
        msg[0] = TAG_BAND;
        msg[1] = j;
        for (let q = 0; q < rows; q++) msg[2 + q] = mins[j * rows + q]!;
        this.idOf(2 + rows, n++, j);
      }
      if (this.winnower) {
        const w = this.winnower,
          c = w.compute(this.buf),
          msg = this.msg;
        for (let i = 0; i < c; i++) {
          msg[0] = TAG_SCAFFOLD;
          msg[1] = w.laneA[i]!;
          msg[2] = w.laneB[i]!;
          this.idOf(3, n++, ID_SCAFFOLD);
        }
      }
    }
    if (hasSystem) this.digest(this.sysBuf, TAG_SYSTEM, n++, ID_SYSTEM);
    this.idCount = n;
    return n;
  }

  /** The opaque string of id `i` of the last compute(). */
  idString(i: number): string {
    return formatId(this.idTags[i]!, this.idWords, i * 4, this.options.hexChars);
  }

  fingerprint(text: string, system?: string | null): PromptFingerprint {
    const n = this.compute(text, system);
    let template: string | undefined, sys: string | undefined;
    const ids: string[] = [];
    const scaffold: string[] = [];
    for (let i = 0; i < n; i++) {
      const tag = this.idTags[i]!;
      if (tag === ID_TEMPLATE) template = this.idString(i);
      else if (tag === ID_SYSTEM) sys = this.idString(i);
      else if (tag === ID_SCAFFOLD) scaffold.push(this.idString(i));
      else ids.push(this.idString(i));
    }
    return { template, bands: ids, scaffold, system: sys, capability: this.capability, markers: this.markers };
  }

  /** 128-bit digest of the normalised token sequence (4 MurmurHash3 lanes), then the id. */
  private digest(buf: TokenBuffer, tag: number, slot: number, idTag: number): void {
    let l0 = LANE_SEEDS[0]!,
      l1 = LANE_SEEDS[1]!,
      l2 = LANE_SEEDS[2]!,
      l3 = LANE_SEEDS[3]!;
    for (let t = 0; t < buf.n; t++) {
      const kind = buf.kind[t]!;
      const h = kind === TOK_WORD ? buf.textHash[t]! : PLACEHOLDER_HASH[kind]!;
      l0 = mixStep(l0, h);
      l1 = mixStep(l1, h ^ 0x5bd1e995);
      l2 = mixStep(l2, Math.imul(h, 0x2c1b3c6d));
      l3 = mixStep(l3, (h << 7) | (h >>> 25));
    }
    const msg = this.msg;
    msg[0] = tag;
    msg[1] = fmix32(l0 ^ buf.n) | 0;
    msg[2] = fmix32(l1 ^ buf.n) | 0;
    msg[3] = fmix32(l2 ^ buf.n) | 0;
    msg[4] = fmix32(l3 ^ buf.n) | 0;
    this.idOf(5, slot, idTag);
  }

  /** Id words of the first `n` words of `msg`: keyed HMAC-SHA256, or MurmurHash3 lanes when unkeyed. */
  private idOf(n: number, slot: number, idTag: number): void {
    const msg = this.msg,
      out = this.idWords,
      at = slot * 4;
    this.idTags[slot] = idTag;
    if (this.hmac) {
      const d = this.hmac.digest(msg, n);
      out[at] = d[0]!;
      out[at + 1] = d[1]!;
      out[at + 2] = d[2]!;
      out[at + 3] = d[3]!;
      return;
    }
    const nLanes = this.wordsPerId;
    for (let l = 0; l < nLanes; l++) {
      let h = LANE_SEEDS[l]!;
      for (let i = 0; i < n; i++) h = mixStep(h, msg[i]!);
      out[at + l] = fmix32(h ^ n) | 0;
    }
    for (let l = nLanes; l < 4; l++) out[at + l] = 0;
  }
}

/** Id tag of the template fingerprint (band fingerprints are tagged with their band index). */
export const ID_TEMPLATE = -1;
/** Id tag of the system-prompt fingerprint. */
export const ID_SYSTEM = -2;
/** Id tag of scaffold fingerprints (all of them: a scaffold id does not depend on where it was selected). */
export const ID_SCAFFOLD = -3;

/** The opaque id string: `t:<hex>`, `s:<hex>`, `w:<hex>` or `m<band>:<hex>`, from up to 4 words at `words[at]`. */
export function formatId(tag: number, words: ArrayLike<number>, at: number, hexChars: number): string {
  const w = [words[at]!, words[at + 1]!, words[at + 2]!, words[at + 3]!];
  const hex = wordsToHex(w, hexChars);
  return (tag === ID_TEMPLATE ? 't:' : tag === ID_SYSTEM ? 's:' : tag === ID_SCAFFOLD ? 'w:' : `m${tag}:`) + hex;
}

function validateScaffold(s: ScaffoldOptions): void {
  const int = (field: keyof ScaffoldOptions, lo: number, hi: number) => {
    const v = s?.[field];
    if (!Number.isInteger(v) || v < lo || v > hi) throw new ConfigError(`fingerprint.scaffold.${field}`, `must be an integer in ${lo}..${hi}`);
  };
  int('shingle', 1, 16);
  int('window', 1, 64);
  int('head', 1, 4096);
  int('tail', 0, 4096);
  int('max', 1, 256);
  int('minContent', 0, s?.shingle ?? 16);
  if (s.head < s.shingle) throw new ConfigError('fingerprint.scaffold.head', 'must be at least the shingle length');
}

let defaultFingerprinter: Fingerprinter | undefined;
const cache = new WeakMap<object, Fingerprinter>();

/**
 * Fingerprint one prompt. The compiled state (rules, hash family, HMAC pads) is cached per `opts`
 * object, so pass the same object on repeated calls (or hold a Fingerprinter).
 */
export function fingerprintPrompt(text: string, system?: string, opts?: FingerprintOverrides): PromptFingerprint {
  let fp: Fingerprinter | undefined;
  if (opts === undefined) fp = defaultFingerprinter ??= new Fingerprinter();
  else {
    fp = cache.get(opts);
    if (!fp) cache.set(opts, (fp = new Fingerprinter(opts)));
  }
  return fp.fingerprint(text, system);
}
