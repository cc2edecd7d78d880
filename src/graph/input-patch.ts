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
  const identifiers: IdentifierGroup[] = [];
  for (const kind of KIND_ORDER) {
    const old = new Map<string, IdentifierGroup>();
    for (const g of base.identifiers) if (g.kind === kind) old.set(g.key, g);
    const now = new Map<string, IdentifierGroup>();
    for (const g of delta.identifiers) {
      if (g.kind === kind) now.set(g.key, { ...g, members: g.members.map((m) => ({ ...m, account: intern(m.account) })) });
    }
    // One by one: spreading a million groups into push() overflows the call stack.
    for (const g of mergeMap(old, now).values()) identifiers.push(g);
  }
  return { accounts, identifiers, activity, soloPrompts };
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
