import { fmix32, hash32, mixStep } from '../util/hash.js';
import type { LinkageInput } from './types.js';

/**
 * A 64-bit digest of everything the input says about each account: its attributes, every
 * identifier it uses (with that use's span and count, and the identifier's own attributes), its
 * hourly activity and its solo-prompt totals. An incremental run compares these with the
 * snapshot's to find the accounts a night touched, whatever wrote the change (docs/incremental.md).
 * Memberships are folded by addition, so the digest does not depend on the order of identifiers.
 *
 * Returns two uint32 lanes per account, in the order of `accounts`.
 */
export function accountDigests(input: LinkageInput, accounts: readonly string[]): Uint32Array {
  const index = new Map<string, number>();
  accounts.forEach((a, i) => index.set(a, i));
  const out = new Uint32Array(accounts.length * 2);
  const fold = (i: number, h: number): void => {
    out[2 * i] = (out[2 * i]! + h) >>> 0;
    out[2 * i + 1] = (out[2 * i + 1]! + fmix32(h ^ 0x5bd1e995)) >>> 0;
  };
  for (const [id, a] of input.accounts) {
    const i = index.get(id);
    if (i === undefined) continue;
    fold(i, hash32('account', a.createdAt ?? -1, a.emailDomain ?? '', a.country ?? '', a.verified === undefined ? 2 : a.verified ? 1 : 0, a.plan ?? ''));
  }
  for (const g of input.identifiers) {
    const gh = hash32(
      g.kind,
      g.key,
      g.isProxy === undefined ? 2 : g.isProxy ? 1 : 0,
      g.asn ?? '',
      g.capability ?? '',
      g.fpKind ?? '',
      (g.markers ?? []).join(','),
    );
    for (const m of g.members) {
      const i = index.get(m.account);
      if (i === undefined) continue;
      let h = gh;
      h = mixStep(h, m.firstSeen >>> 0);
      h = mixStep(h, Math.floor(m.firstSeen / 4294967296));
      h = mixStep(h, m.lastSeen >>> 0);
      h = mixStep(h, Math.floor(m.lastSeen / 4294967296));
      h = mixStep(h, m.count >>> 0);
      fold(i, fmix32(h));
    }
  }
  for (const [id, s] of input.activity) {
    const i = index.get(id);
    if (i === undefined) continue;
    let h = 0x1b873593;
    for (let j = 0; j < s.hours.length; j++) h = mixStep(mixStep(h, s.hours[j]!), Math.round(s.requests[j]! * 1000) >>> 0);
    fold(i, fmix32(h ^ s.hours.length));
  }
  for (const [id, s] of input.soloPrompts ?? []) {
    const i = index.get(id);
    if (i === undefined) continue;
    const parts: Array<string | number> = ['solo', s.markedVolume, s.scaffoldVolume ?? 0];
    for (const k of Object.keys(s.fingerprints).sort()) parts.push(k, s.fingerprints[k as keyof typeof s.fingerprints] ?? 0);
    for (const k of Object.keys(s.volume).sort()) parts.push(k, s.volume[k] ?? 0);
    fold(i, hash32(...parts));
  }
  return out;
}
