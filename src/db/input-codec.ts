import type { InputDelta } from '../graph/input-patch.js';
import type { AccountAttrs, ActivitySeries, FingerprintKind, IdentifierGroup, IdentifierKind, LinkageInput, Membership, PromptMarker, SoloPrompts } from '../graph/types.js';
import { StateFormatError } from '../util/errors.js';
import { decodeBlob, encodeBlob } from './blob-format.js';

/**
 * The detection snapshot's input file (docs/incremental.md): the LinkageInput a run detected on, as
 * columns, so that the next incremental run patches it with the night's delta instead of reading
 * the whole graph again. Order is kept exactly (accounts, identifiers, members, series), so a
 * decoded input equals the one encoded, and a patched one equals a full read (src/graph/input-patch.ts).
 * Strings sit in three JSON tables (JSON takes any character and V8 parses it fast): account ids
 * (the accounts map's order, then ids only members name), identifier keys (one per group, in
 * order) and attribute values. Members name accounts by position in the first, so decoding hands
 * each membership the one string the accounts map holds, with no lookup; at 1M accounts a single
 * table of every string spent most of the encode in hash lookups and most of the decode in GC.
 */
export const INPUT_FORMAT_VERSION = 2;
const MAGIC = 0x49445352; // 'RSDI' little-endian
/**
 * The delta file beside it (an InputDelta: the nights since the input file, composed): the same
 * columns, with the accounts whose prompt totals were read again in the header. Same version.
 */
const DELTA_MAGIC = 0x44445352; // 'RSDD' little-endian
const KINDS: readonly IdentifierKind[] = ['payment', 'ip', 'subnet', 'prompt'];

interface Header {
  readonly accountBytes: number;
  readonly keyBytes: number;
  readonly valueBytes: number;
  readonly accounts: number;
  readonly groups: number;
  readonly members: number;
  readonly series: number;
  readonly hours: number;
  readonly solo: number;
  readonly soloFingerprints: number;
  readonly soloVolumes: number;
}

class Strings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  id(s: string | undefined): number {
    if (s === undefined) return -1;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

const tri = (b: boolean | undefined): number => (b === undefined ? -1 : b ? 1 : 0);

/** Serialise an input (checksummed). */
export function encodeInput(input: LinkageInput): Uint8Array {
  return encodeColumns(input, MAGIC, {});
}

/** Serialise a delta (checksummed): its accounts, series, groups and solo totals as an input's columns. */
export function encodeDelta(delta: InputDelta): Uint8Array {
  const { accounts, activity, soloPrompts, identifiers, promptAccounts } = delta;
  return encodeColumns({ accounts, activity, soloPrompts, identifiers }, DELTA_MAGIC, { promptAccounts });
}

/** Parse and verify a delta file; StateFormatError saying what is wrong. */
export function decodeDelta(bytes: Uint8Array): InputDelta {
  const { input, header } = decodeColumns<{ promptAccounts?: unknown }>(bytes, DELTA_MAGIC, 'detection input delta');
  const list = header.promptAccounts;
  if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) throw new StateFormatError('detection input delta: promptAccounts is not a list of ids');
  return { accounts: input.accounts, activity: input.activity, soloPrompts: input.soloPrompts ?? new Map(), identifiers: input.identifiers, promptAccounts: list as string[] };
}

function encodeColumns(input: LinkageInput, magic: number, extra: Record<string, unknown>): Uint8Array {
  const str = new Strings();
  const n = input.accounts.size;
  const ids: string[] = [...input.accounts.keys()];
  const position = new Map<string, number>();
  ids.forEach((id, i) => position.set(id, i));
  const accountNo = (id: string): number => {
    let i = position.get(id);
    if (i === undefined) {
      i = ids.length;
      ids.push(id);
      position.set(id, i);
    }
    return i;
  };
  const acc = { created: new Float64Array(n), email: new Int32Array(n), country: new Int32Array(n), plan: new Int32Array(n), verified: new Int8Array(n) };
  let i = 0;
  for (const a of input.accounts.values()) {
    acc.created[i] = a.createdAt ?? NaN;
    acc.email[i] = str.id(a.emailDomain);
    acc.country[i] = str.id(a.country);
    acc.plan[i] = str.id(a.plan);
    acc.verified[i] = tri(a.verified);
    i++;
  }
  const g = input.identifiers.length;
  const M = input.identifiers.reduce((s, x) => s + x.members.length, 0);
  const keys: string[] = new Array(g);
  const grp = {
    kind: new Uint8Array(g),
    proxy: new Int8Array(g),
    asn: new Int32Array(g),
    cap: new Int32Array(g),
    fpKind: new Int32Array(g),
    markers: new Int32Array(g),
    off: new Int32Array(g + 1),
  };
  const mem = { acc: new Int32Array(M), fs: new Float64Array(M), ls: new Float64Array(M), count: new Float64Array(M) };
  let m = 0;
  input.identifiers.forEach((x, j) => {
    grp.kind[j] = KINDS.indexOf(x.kind);
    keys[j] = x.key;
    grp.proxy[j] = tri(x.isProxy);
    grp.asn[j] = str.id(x.asn);
    grp.cap[j] = str.id(x.capability);
    grp.fpKind[j] = str.id(x.fpKind);
    grp.markers[j] = x.markers === undefined ? -1 : str.id(JSON.stringify(x.markers));
    grp.off[j] = m;
    for (const y of x.members) {
      mem.acc[m] = accountNo(y.account);
      mem.fs[m] = y.firstSeen;
      mem.ls[m] = y.lastSeen;
      mem.count[m] = y.count;
      m++;
    }
  });
  grp.off[g] = m;
  const s = input.activity.size;
  const H = [...input.activity.values()].reduce((t, x) => t + x.hours.length, 0);
  const act = { acc: new Int32Array(s), off: new Int32Array(s + 1), hours: new Int32Array(H), requests: new Float64Array(H) };
  let h = 0;
  i = 0;
  for (const [a, x] of input.activity) {
    act.acc[i] = accountNo(a);
    act.off[i] = h;
    act.hours.set(x.hours, h);
    act.requests.set(x.requests, h);
    h += x.hours.length;
    i++;
  }
  act.off[s] = h;
  const solo = [...(input.soloPrompts ?? new Map<string, SoloPrompts>())];
  const p = solo.length;
  const fpCount = solo.reduce((t, [, x]) => t + Object.keys(x.fingerprints).length, 0);
  const volCount = solo.reduce((t, [, x]) => t + Object.keys(x.volume).length, 0);
  const so = {
    acc: new Int32Array(p),
    marked: new Float64Array(p),
    scaffold: new Float64Array(p),
    fpOff: new Int32Array(p + 1),
    fpKind: new Int32Array(fpCount),
    fpVal: new Float64Array(fpCount),
    volOff: new Int32Array(p + 1),
    volCap: new Int32Array(volCount),
    volVal: new Float64Array(volCount),
  };
  let f = 0;
  let v = 0;
  solo.forEach(([a, x], j) => {
    so.acc[j] = accountNo(a);
    so.marked[j] = x.markedVolume;
    so.scaffold[j] = x.scaffoldVolume ?? NaN;
    so.fpOff[j] = f;
    for (const [k, val] of Object.entries(x.fingerprints)) {
      so.fpKind[f] = str.id(k);
      so.fpVal[f++] = val ?? 0;
    }
    so.volOff[j] = v;
    for (const [k, val] of Object.entries(x.volume)) {
      so.volCap[v] = str.id(k);
      so.volVal[v++] = val ?? 0;
    }
  });
  so.fpOff[p] = f;
  so.volOff[p] = v;
  const accountBytes = Buffer.from(JSON.stringify(ids), 'utf8');
  const keyBytes = Buffer.from(JSON.stringify(keys), 'utf8');
  const valueBytes = Buffer.from(JSON.stringify(str.list), 'utf8');
  const header: Header = {
    ...extra,
    accountBytes: accountBytes.length,
    keyBytes: keyBytes.length,
    valueBytes: valueBytes.length,
    accounts: n,
    groups: g,
    members: M,
    series: s,
    hours: H,
    solo: p,
    soloFingerprints: fpCount,
    soloVolumes: volCount,
  };
  return encodeBlob(magic, INPUT_FORMAT_VERSION, header, [
    accountBytes,
    keyBytes,
    valueBytes,
    ...Object.values(acc),
    ...Object.values(grp),
    ...Object.values(mem),
    ...Object.values(act),
    ...Object.values(so),
  ]);
}

/** Parse and verify an input; StateFormatError saying what is wrong. */
export function decodeInput(bytes: Uint8Array): LinkageInput {
  return decodeColumns(bytes, MAGIC, 'detection input').input;
}

function decodeColumns<X>(bytes: Uint8Array, magic: number, what: string): { input: LinkageInput; header: Header & X } {
  const { header: hd, take } = decodeBlob<Header & X>(bytes, magic, INPUT_FORMAT_VERSION, what);
  const table = (n: number, name: string): string[] => {
    let list: unknown;
    try {
      list = JSON.parse(Buffer.from(take(n)).toString('utf8'));
    } catch {
      throw new StateFormatError(`${what}: the ${name} table is not JSON`);
    }
    if (!Array.isArray(list)) throw new StateFormatError(`${what}: the ${name} table is not a list`);
    return list as string[];
  };
  const ids = table(hd.accountBytes, 'account');
  const keys = table(hd.keyBytes, 'key');
  const strings = table(hd.valueBytes, 'value');
  const str = (i: number): string => {
    const s = strings[i];
    if (typeof s !== 'string') throw new StateFormatError(`${what}: value ${i} out of range`);
    return s;
  };
  const account = (i: number): string => {
    const s = ids[i];
    if (typeof s !== 'string') throw new StateFormatError(`${what}: account ${i} out of range`);
    return s;
  };
  const i32 = (k: number) => new Int32Array(take(k * 4).buffer);
  const f64 = (k: number) => new Float64Array(take(k * 8).buffer);
  const i8 = (k: number) => new Int8Array(take(k).buffer);
  const n = hd.accounts;
  if (ids.length < n) throw new StateFormatError(`${what}: fewer account ids than accounts`);
  const [aCreated, aEmail, aCountry, aPlan, aVerified] = [f64(n), i32(n), i32(n), i32(n), i8(n)] as const;
  const accounts = new Map<string, AccountAttrs>();
  for (let i = 0; i < n; i++) {
    const a: { -readonly [K in keyof AccountAttrs]: AccountAttrs[K] } = { id: ids[i]! };
    if (!Number.isNaN(aCreated[i]!)) a.createdAt = aCreated[i]!;
    if (aEmail[i]! >= 0) a.emailDomain = str(aEmail[i]!);
    if (aCountry[i]! >= 0) a.country = str(aCountry[i]!);
    if (aVerified[i]! >= 0) a.verified = aVerified[i] === 1;
    if (aPlan[i]! >= 0) a.plan = str(aPlan[i]!);
    accounts.set(a.id, a);
  }
  const g = hd.groups;
  const gKind = new Uint8Array(take(g).buffer);
  if (keys.length !== g) throw new StateFormatError(`${what}: the key table does not match the groups`);
  const [gProxy, gAsn, gCap, gFp, gMarkers, gOff] = [i8(g), i32(g), i32(g), i32(g), i32(g), i32(g + 1)] as const;
  const M = hd.members;
  const [mAcc, mFs, mLs, mCount] = [i32(M), f64(M), f64(M), f64(M)] as const;
  if (g > 0 && gOff[g] !== M) throw new StateFormatError(`${what}: member offsets do not add up`);
  const identifiers: IdentifierGroup[] = new Array(g);
  for (let j = 0; j < g; j++) {
    const kind = KINDS[gKind[j]!];
    if (!kind) throw new StateFormatError(`${what}: identifier ${j} of unknown kind`);
    const members: Membership[] = new Array(gOff[j + 1]! - gOff[j]!);
    for (let q = gOff[j]!, t = 0; q < gOff[j + 1]!; q++, t++) {
      members[t] = { account: account(mAcc[q]!), firstSeen: mFs[q]!, lastSeen: mLs[q]!, count: mCount[q]! };
    }
    const x: { -readonly [K in keyof IdentifierGroup]: IdentifierGroup[K] } = { kind, key: keys[j]!, members };
    if (gProxy[j]! >= 0) x.isProxy = gProxy[j] === 1;
    if (gAsn[j]! >= 0) x.asn = str(gAsn[j]!);
    if (gCap[j]! >= 0) x.capability = str(gCap[j]!);
    if (gFp[j]! >= 0) x.fpKind = str(gFp[j]!) as FingerprintKind;
    if (gMarkers[j]! >= 0) x.markers = JSON.parse(str(gMarkers[j]!)) as PromptMarker[];
    identifiers[j] = x;
  }
  const s = hd.series;
  const [sAcc, sOff] = [i32(s), i32(s + 1)] as const;
  const hours = i32(hd.hours);
  const requests = f64(hd.hours);
  const activity = new Map<string, ActivitySeries>();
  for (let i = 0; i < s; i++) {
    activity.set(account(sAcc[i]!), { hours: hours.subarray(sOff[i]!, sOff[i + 1]!), requests: requests.subarray(sOff[i]!, sOff[i + 1]!) });
  }
  const p = hd.solo;
  const [pAcc, pMarked, pScaffold, pFpOff] = [i32(p), f64(p), f64(p), i32(p + 1)] as const;
  const [pFpKind, pFpVal] = [i32(hd.soloFingerprints), f64(hd.soloFingerprints)] as const;
  const pVolOff = i32(p + 1);
  const [pVolCap, pVolVal] = [i32(hd.soloVolumes), f64(hd.soloVolumes)] as const;
  const soloPrompts = new Map<string, SoloPrompts>();
  for (let j = 0; j < p; j++) {
    const fingerprints: Partial<Record<FingerprintKind, number>> = {};
    for (let q = pFpOff[j]!; q < pFpOff[j + 1]!; q++) fingerprints[str(pFpKind[q]!) as FingerprintKind] = pFpVal[q]!;
    const volume: Record<string, number> = {};
    for (let q = pVolOff[j]!; q < pVolOff[j + 1]!; q++) volume[str(pVolCap[q]!)] = pVolVal[q]!;
    const x: { -readonly [K in keyof SoloPrompts]: SoloPrompts[K] } = { fingerprints, volume, markedVolume: pMarked[j]! };
    if (!Number.isNaN(pScaffold[j]!)) x.scaffoldVolume = pScaffold[j]!;
    soloPrompts.set(account(pAcc[j]!), x);
  }
  return { input: { accounts, identifiers, activity, soloPrompts }, header: hd };
}
