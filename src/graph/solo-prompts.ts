import type { IdentifierGroup, LinkageInput, SoloPrompts } from './types.js';

type Mutable = { -readonly [K in keyof SoloPrompts]: SoloPrompts[K] };

/** Number of distinct accounts among a group's members (a reader may list one account twice). */
export function distinctAccounts(g: IdentifierGroup): number {
  if (g.members.length < 2) return g.members.length;
  return new Set(g.members.map((m) => m.account)).size;
}

/** Fold a prompt fingerprint sent by one account (`distinctAccounts(g) === 1`) into that account's totals. */
export function addSoloPrompt(into: Map<string, SoloPrompts>, g: IdentifierGroup): void {
  const account = g.members[0]!.account;
  let s = into.get(account) as Mutable | undefined;
  if (!s) into.set(account, (s = { fingerprints: {}, volume: {}, markedVolume: 0 }));
  let volume = 0;
  for (const m of g.members) volume += m.count;
  const kind = g.fpKind ?? 'template';
  s.fingerprints[kind] = (s.fingerprints[kind] ?? 0) + 1;
  if (kind === 'scaffold') {
    s.scaffoldVolume = (s.scaffoldVolume ?? 0) + volume;
    return;
  }
  const cap = g.capability ?? 'other';
  s.volume[cap] = (s.volume[cap] ?? 0) + volume;
  if (g.markers && g.markers.length > 0) s.markedVolume += volume;
}

/** The same input with every single-account prompt fingerprint folded into `soloPrompts` (pure). */
export function compactSoloPrompts(input: LinkageInput): LinkageInput {
  const solo = new Map<string, SoloPrompts>();
  for (const [a, s] of input.soloPrompts ?? [])
    solo.set(a, {
      fingerprints: { ...s.fingerprints },
      volume: { ...s.volume },
      markedVolume: s.markedVolume,
      ...(s.scaffoldVolume ? { scaffoldVolume: s.scaffoldVolume } : {}),
    });
  const identifiers: IdentifierGroup[] = [];
  for (const g of input.identifiers) {
    if (g.kind === 'prompt' && distinctAccounts(g) === 1) addSoloPrompt(solo, g);
    else identifiers.push(g);
  }
  return { ...input, identifiers, soloPrompts: solo };
}
