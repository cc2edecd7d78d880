/**
 * Random-looking identifier values (account ids, card fingerprints, IPs, domains). Every value is a
 * hash of (seed, purpose, key), so ids carry no information about the label or group they belong to.
 */
import type { BuiltInCapability } from '../vocabulary/capabilities.js';
import type { FingerprintKind, PromptMarker } from '../graph/types.js';
import { hash32, hexId, type Rng } from './prng.js';
import { PREPAID_BINS } from './vocab.js';

export interface Card {
  readonly fp: string;
  readonly bin: string;
  readonly country: string;
}

export interface IpInfo {
  readonly ip: string;
  readonly asn: string;
  readonly isProxy: boolean;
}

/** Where a prompt's text comes from in --raw-prompts mode (a `template` may be written as a scaffold template, see prompt-text.ts). */
export type TextStyle = 'template' | 'free' | 'common' | 'tool' | 'internal';

/** A prompt fingerprint as the generator plants it. */
export interface Fingerprint {
  readonly fp: string;
  readonly capability: BuiltInCapability;
  readonly kind: FingerprintKind;
  readonly markers: readonly PromptMarker[];
  readonly style: TextStyle;
  /** Seeds the text generator: all prompts of one fingerprint share a base text. */
  readonly textKey: number;
}

export function accountId(seed: number, slot: number): string {
  return `acct_${hexId(seed, 'acct', slot)}`;
}

export function fingerprintId(seed: number, ...key: ReadonlyArray<number | string>): string {
  return `fp_${hexId(seed, 'fp', ...key)}`;
}

/** A card; `prepaid` draws the BIN from the prepaid list the reports' rings favour. */
export function makeCard(seed: number, country: string, prepaid: boolean, ...key: ReadonlyArray<number | string>): Card {
  const h = hash32(seed, 'bin', ...key);
  const bin = prepaid
    ? PREPAID_BINS[h % PREPAID_BINS.length]!
    : h % 3 === 0
      ? `5${1 + ((h >>> 4) % 5)}${String((h >>> 8) % 10000).padStart(4, '0')}`
      : `4${String((h >>> 4) % 100000).padStart(5, '0')}`;
  return { fp: `pm_${hexId(seed, 'card', ...key)}`, bin, country };
}

/** First octets of ordinary public unicast space (no private, CGNAT-reserved, multicast ranges). */
const FIRST_OCTETS = [
  23, 24, 31, 37, 45, 46, 50, 62, 66, 68, 71, 73, 76, 77, 79, 82, 84, 86, 88, 92, 94, 98, 99, 104, 107, 108, 109, 112, 113, 115, 116, 118, 120, 121, 122, 124,
  125, 136, 140, 141, 146, 151, 152, 154, 161, 162, 164, 165, 173, 174, 176, 178, 180, 181, 182, 183, 185, 186, 187, 188, 189, 190, 191, 193, 194, 195, 197,
  200, 201, 202, 203, 206, 207, 208, 209, 210, 211, 212, 213, 216, 217, 218, 219, 220, 221, 222,
];
const V6_PREFIXES = ['2a02', '2a01', '2600', '2601', '2603', '2804', '2409', '240e', '2a00', '2001'];

/** A /24 (IPv4) drawn from the key: returns the first three octets, e.g. "84.17.203". */
export function subnet24(seed: number, ...key: ReadonlyArray<number | string>): string {
  const h = hash32(seed, 'net', ...key);
  return `${FIRST_OCTETS[h % FIRST_OCTETS.length]}.${(h >>> 8) & 255}.${(h >>> 16) & 255}`;
}

/** One host in a /24. */
export function hostIn(net: string, seed: number, ...key: ReadonlyArray<number | string>): string {
  return `${net}.${1 + (hash32(seed, 'host', ...key) % 254)}`;
}

/** A random public IPv4 address. */
export function ipv4(seed: number, ...key: ReadonlyArray<number | string>): string {
  return hostIn(subnet24(seed, ...key), seed, ...key);
}

/** A random public IPv6 address in canonical (RFC 5952) form: every group non-zero, so no `::`. */
export function ipv6(seed: number, ...key: ReadonlyArray<number | string>): string {
  const groups = [V6_PREFIXES[hash32(seed, 'v6p', ...key) % V6_PREFIXES.length]!];
  for (let i = 1; i < 8; i++) groups.push(((hash32(seed, 'v6', i, ...key) & 0xfff) | 0x1000).toString(16));
  return groups.join(':');
}

const SYL = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ra',
  'to',
  'vi',
  'zen',
  'sol',
  'tri',
  'qu',
  'ar',
  'bel',
  'cor',
  'dex',
  'fin',
  'gal',
  'hex',
  'ion',
  'jun',
  'lux',
  'mar',
  'nov',
  'orb',
  'pix',
  'syn',
  'tek',
  'ulm',
  'vox',
  'wex',
];
const CORP_TLD = ['com', 'com', 'io', 'ai', 'co', 'de', 'co.uk', 'fr', 'net', 'tech'];

/** A corporate email domain (orgs, benchmark companies). */
export function corporateDomain(seed: number, ...key: ReadonlyArray<number | string>): string {
  const h = hash32(seed, 'corp', ...key);
  const n = 2 + (h % 2);
  let name = '';
  for (let i = 0; i < n; i++) name += SYL[hash32(h, i) % SYL.length];
  return `${name}${(h >>> 20) % 7 === 0 ? 'labs' : ''}.${CORP_TLD[(h >>> 8) % CORP_TLD.length]}`;
}

/** A university email domain. */
export function campusDomain(seed: number, ...key: ReadonlyArray<number | string>): string {
  const h = hash32(seed, 'campus', ...key);
  const name = SYL[h % SYL.length]! + SYL[(h >>> 8) % SYL.length]!;
  return [`${name}.edu`, `uni-${name}.de`, `${name}.ac.uk`, `${name}.edu.au`][(h >>> 16) % 4]!;
}

/** A throwaway custom domain of the kind some rings register. */
export function throwawayDomain(seed: number, ...key: ReadonlyArray<number | string>): string {
  const h = hash32(seed, 'junk', ...key);
  return `${SYL[h % SYL.length]}${SYL[(h >>> 8) % SYL.length]}${(h >>> 16) % 100}.${['xyz', 'top', 'shop', 'online', 'site'][(h >>> 24) % 5]}`;
}

/** Pick k distinct items from a pool. */
export function pickSome<T>(rng: Rng, pool: readonly T[], k: number): T[] {
  return rng.sample(pool.length, k).map((i) => pool[i]!);
}
