import { compactSoloPrompts, type LinkageInput } from '../../src/graph/index.js';

/** A canonical, order-free view of a LinkageInput for equality checks. */
export function canonical(given: LinkageInput): unknown {
  // The Neo4j reader folds single-account prompt fingerprints into soloPrompts; compare both that way.
  const input = compactSoloPrompts(given);
  return {
    soloPrompts: [...input.soloPrompts!.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    accounts: [...input.accounts.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    identifiers: input.identifiers
      .filter((g) => g.members.length > 0)
      .map((g) => ({ ...g, members: [...g.members].sort((a, b) => (a.account < b.account ? -1 : 1)), markers: g.markers ? [...g.markers] : undefined }))
      .sort((a, b) => (a.kind + a.key < b.kind + b.key ? -1 : 1)),
    activity: [...input.activity.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, s]) => [k, [...s.hours], [...s.requests]]),
  };
}
