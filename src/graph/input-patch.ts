import type { AccountAttrs, ActivitySeries, IdentifierGroup, IdentifierKind, LinkageInput, SoloPrompts } from './types.js';

/**
 * The night's delta put into the previous run's input (docs/incremental.md, "The delta"). What the
 * delta holds replaces what the input held for the same account or identifier, and new keys are
 * inserted where a full read would return them (keys in order, identifier kinds in the order
 * payment, ip, subnet, prompt), so the patched input is the input a full read of the store gives.
 * Pure.
 */
export interface InputDelta {
  /** Touched accounts' attributes. */
  readonly accounts: ReadonlyMap<string, AccountAttrs>;
  /** Touched accounts' series (a touched account absent here has none). */
  readonly activity: ReadonlyMap<string, ActivitySeries>;
  /** Accounts whose solo prompt totals were read again; those absent from `soloPrompts` have none. */
  readonly promptAccounts: readonly string[];
  readonly soloPrompts: ReadonlyMap<string, SoloPrompts>;
  /** Identifier groups read again, whole. */
  readonly identifiers: readonly IdentifierGroup[];
}

const KIND_ORDER: readonly IdentifierKind[] = ['payment', 'ip', 'subnet', 'prompt'];
const byKey = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/**
 * A map with `replace` applied (value undefined: delete) and new keys inserted in key order among
 * the old ones (which are in key order: keyset pages).
 */
function mergeMap<V>(base: ReadonlyMap<string, V>, replace: ReadonlyMap<string, V | undefined>): Map<string, V> {
  const fresh = [...replace.keys()].filter((k) => !base.has(k)).sort(byKey);
  const out = new Map<string, V>();
  let f = 0;
  const put = (k: string, v: V | undefined): void => {
    if (v !== undefined) out.set(k, v);
  };
  for (const [k, v] of base) {
    while (f < fresh.length && byKey(fresh[f]!, k) < 0) put(fresh[f]!, replace.get(fresh[f++]!));
    put(k, replace.has(k) ? replace.get(k) : v);
  }
  while (f < fresh.length) put(fresh[f]!, replace.get(fresh[f++]!));
  return out;
}

export function patchInput(base: LinkageInput, delta: InputDelta): LinkageInput {
  const accounts = mergeMap(base.accounts, delta.accounts);
  const intern = (id: string): string => accounts.get(id)?.id ?? id;
  const series = new Map<string, ActivitySeries | undefined>();
  for (const a of delta.accounts.keys()) series.set(a, delta.activity.get(a));
  for (const [a, s] of delta.activity) series.set(a, s);
  const activity = mergeMap(base.activity, series);
  const solo = new Map<string, SoloPrompts | undefined>();
  for (const a of delta.promptAccounts) solo.set(a, delta.soloPrompts.get(a));
  const soloPrompts = mergeMap(base.soloPrompts ?? new Map<string, SoloPrompts>(), solo);
  return { accounts, identifiers: patchGroups(base.identifiers, delta.identifiers, intern), activity, soloPrompts };
}

/**
 * The input's groups with the delta's put in: a group read again replaces the one of the same kind
 * and key where it stood, a new one goes before the first group of its kind with a greater key
 * (base groups are in kind order, then key order: keyset pages). Two passes over the input's
 * groups with lookups in the delta's (small) maps, rather than a map of every group: at 1M accounts
 * the input holds millions of groups, and mapping them all cost most of an incremental run's patch.
 */
function patchGroups(base: readonly IdentifierGroup[], delta: readonly IdentifierGroup[], intern: (id: string) => string): IdentifierGroup[] {
  const now = new Map<IdentifierKind, Map<string, IdentifierGroup>>(KIND_ORDER.map((k) => [k, new Map()]));
  for (const g of delta) now.get(g.kind)!.set(g.key, { ...g, members: g.members.map((m) => ({ ...m, account: intern(m.account) })) });
  const present = new Map<IdentifierKind, Set<string>>(KIND_ORDER.map((k) => [k, new Set()]));
  // Which base groups are replaced, found once (a lookup per group is the cost at this size).
  const replaced = new Uint8Array(base.length);
  base.forEach((g, i) => {
    if (!now.get(g.kind)!.has(g.key)) return;
    present.get(g.kind)!.add(g.key);
    replaced[i] = 1;
  });
  const out: IdentifierGroup[] = [];
  for (const kind of KIND_ORDER) {
    const replace = now.get(kind)!;
    const fresh = [...replace.keys()].filter((k) => !present.get(kind)!.has(k)).sort(byKey);
    let f = 0;
    for (let i = 0; i < base.length; i++) {
      const g = base[i]!;
      if (g.kind !== kind) continue;
      while (f < fresh.length && byKey(fresh[f]!, g.key) < 0) out.push(replace.get(fresh[f++]!)!);
      out.push(replaced[i] ? replace.get(g.key)! : g);
    }
    while (f < fresh.length) out.push(replace.get(fresh[f++]!)!);
  }
  return out;
}

/**
 * Two nights' deltas as one: `later` wins wherever both speak, with the same meaning patchInput
 * gives each (a touched account absent from a delta's series has none; an account whose prompt
 * totals were read again and are absent has none). So patchInput(patchInput(b, earlier), later)
 * equals patchInput(b, composeDeltas(earlier, later)) (test/graph/input-cache.test.ts), and the
 * snapshot keeps one delta file beside its input instead of rewriting the input each night. Pure.
 */
export function composeDeltas(earlier: InputDelta, later: InputDelta): InputDelta {
  const accounts = new Map(earlier.accounts);
  for (const [a, v] of later.accounts) accounts.set(a, v);
  const activity = new Map(earlier.activity);
  for (const a of later.accounts.keys()) activity.delete(a);
  for (const [a, s] of later.activity) activity.set(a, s);
  const again = new Set(later.promptAccounts);
  const soloPrompts = new Map([...earlier.soloPrompts].filter(([a]) => !again.has(a)));
  for (const [a, s] of later.soloPrompts) soloPrompts.set(a, s);
  const groups = new Map<string, IdentifierGroup>();
  for (const g of earlier.identifiers) groups.set(`${g.kind}\u0000${g.key}`, g);
  for (const g of later.identifiers) groups.set(`${g.kind}\u0000${g.key}`, g);
  return {
    accounts,
    activity,
    promptAccounts: [...new Set([...earlier.promptAccounts, ...later.promptAccounts])].sort(byKey),
    soloPrompts,
    identifiers: [...groups.values()],
  };
}
