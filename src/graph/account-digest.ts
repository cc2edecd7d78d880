import { fmix32, hash32, mixStep } from '../util/hash.js';
import type { InputDelta } from './input-patch.js';
import type { LinkageInput } from './types.js';

/**
 * A 64-bit digest of everything the input says about each account: its attributes, every
 * identifier it uses (with that use's span and count, and the identifier's own attributes), its
 * hourly activity and its solo-prompt totals. An incremental run compares these with the
 * snapshot's to find the accounts a night touched, whatever wrote the change (docs/incremental.md).
 * Memberships are folded by addition, so the digest does not depend on the order of identifiers.
 *
 * Returns two uint32 lanes per account, in the order of `accounts`. With `only`, only those accounts
 * are digested (reusedDigests); every other lane stays 0.
 */
export function accountDigests(input: LinkageInput, accounts: readonly string[], only?: ReadonlySet<string>): Uint32Array {
  const index = new Map<string, number>();
  accounts.forEach((a, i) => {
    if (!only || only.has(a)) index.set(a, i);
  });
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
    // The group's own hash is taken at its first digested member: with `only`, most groups have none.
    let gh: number | undefined;
    for (const m of g.members) {
      const i = index.get(m.account);
      if (i === undefined) continue;
      gh ??= hash32(
        g.kind,
        g.key,
        g.isProxy === undefined ? 2 : g.isProxy ? 1 : 0,
        g.asn ?? '',
        g.capability ?? '',
        g.fpKind ?? '',
        (g.markers ?? []).join(','),
      );
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

/**
 * The accounts whose digest a delta can change: the touched ones (their rows), those whose prompt
 * totals were read again (a fingerprint they sent alone became shared), and every member of a group
 * read again (the group's own attributes, an IP's proxy flag say, are in each member's digest).
 * Every other account's input is, in the patched input, the snapshot input's own (input-patch.ts).
 */
export function deltaAccounts(delta: InputDelta): Set<string> {
  const out = new Set<string>(delta.accounts.keys());
  for (const a of delta.activity.keys()) out.add(a);
  for (const a of delta.promptAccounts) out.add(a);
  for (const g of delta.identifiers) for (const m of g.members) out.add(m.account);
  return out;
}

/**
 * accountDigests of a patched input, digesting only the accounts the delta can change and taking
 * every other account's from the previous state (`prev`, its sorted accounts and their digests):
 * the same digests as digesting the patched input whole (test/graph/account-digest.test.ts), at the
 * cost of the delta's accounts plus one pass over the memberships.
 */
export function reusedDigests(
  input: LinkageInput,
  accounts: readonly string[],
  prev: { readonly accounts: readonly string[]; readonly digests: Uint32Array },
  changed: ReadonlySet<string>,
): Uint32Array {
  // Previous position of each account (both lists sorted), −1 for one the previous state lacks.
  const from = new Int32Array(accounts.length).fill(-1);
  const fresh = new Set(changed);
  for (let i = 0, j = 0; j < accounts.length; j++) {
    const a = accounts[j]!;
    while (i < prev.accounts.length && prev.accounts[i]! < a) i++;
    if (prev.accounts[i] === a) from[j] = i;
    else fresh.add(a);
  }
  const out = accountDigests(input, accounts, fresh);
  for (let j = 0; j < accounts.length; j++) {
    const i = from[j]!;
    if (i < 0 || fresh.has(accounts[j]!)) continue;
    out[2 * j] = prev.digests[2 * i]!;
    out[2 * j + 1] = prev.digests[2 * i + 1]!;
  }
  return out;
}
