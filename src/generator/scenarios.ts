/**
 * Named scenarios: which populations a generated drop holds, as shares of the requested account
 * count. Individuals take whatever share is left. Each scenario is documented in docs/scenarios.md.
 */
import { RING_TYPES, type RingType } from './vocab.js';
import type { WorldParams } from './world.js';

/** Populations the generator can plant. Every one but `individual` is sized by a share. */
export type PopulationKind = 'individual' | 'tool_user' | 'org' | 'family' | 'cgnat' | 'campus' | 'benchmark' | RingType;

export interface ScenarioSpec {
  readonly name: string;
  readonly description: string;
  /** Share of all accounts per population (0..1); `individual` gets the remainder. */
  readonly shares: Readonly<Partial<Record<Exclude<PopulationKind, 'individual'>, number>>>;
  /** World knobs of this scenario (world.ts); `generate --world` overrides them. @defaultValue {} */
  readonly world?: WorldParams;
}

/**
 * Look-alikes present in every scenario. Shares are chosen so a 70k-account drop has CGNAT and campus
 * hubs of thousands of accounts, orgs of 5–200 staff, and popular tool prompts shared by thousands.
 */
const LOOK_ALIKES = {
  tool_user: 0.06,
  org: 0.08,
  family: 0.04,
  cgnat: 0.08,
  campus: 0.05,
  benchmark: 0.004,
} as const;

/** Ring shares in `mixed`: about 2.8% of accounts, every ring type present. */
const MIXED_RINGS: Record<RingType, number> = {
  hydra: 0.012,
  datacenter: 0.004,
  careful: 0.002,
  camouflage: 0.003,
  'shared-reseller': 0.004,
  'release-shift': 0.003,
  // Kept out of `mixed` so its figures stay comparable across releases; the robustness worlds plant it.
  'network-camouflage': 0,
};

/** Share of accounts given to the one ring type of a focused scenario. */
const FOCUSED_RING_SHARE = 0.04;

const FOCUSED_DESCRIPTIONS: Record<RingType, string> = {
  hydra:
    'proxy-reseller waves: accounts created in waves replacing banned ones, rotating residential proxy IPs, prepaid cards shared by a few dozen accounts, templated coding/agentic/cyber/CoT prompts, 24/7 synchronised activity',
  datacenter: 'a lab campaign on a handful of very busy hosting IPs (is_proxy, hosting ASN) with little card sharing',
  careful: 'a careful operator: unique cards and unique IPs per account, linked only by shared templates and synchronised timing',
  camouflage: 'a ring hiding in CGNAT/campus IP hubs and popular tool prompts, with its own templates and timing',
  'shared-reseller': 'two distinct operators buying from one proxy reseller: one IP pool, different templates, cards and timing (two truth groups)',
  'release-shift': 'a ring whose traffic shifts to new capability templates within 24 h of a model-release date',
  'network-camouflage':
    'a ring camouflaged in mid-sized shared networks (issue #16, Failure 1): ~40 accounts per prepaid card, ~15 private templates, created steadily over a month, each account on 2 CGNAT exits and 1 campus exit of 20–180 legitimate users each',
};

/** Focused scenarios that need world knobs to mean what they say. */
const FOCUSED_WORLDS: Partial<Record<RingType, WorldParams>> = { 'network-camouflage': { hubExitUsers: [20, 180] } };

export const SCENARIOS: ReadonlyMap<string, ScenarioSpec> = new Map<string, ScenarioSpec>([
  [
    'mixed',
    {
      name: 'mixed',
      description: 'realistic mix: mostly legitimate individuals, every look-alike and every ring type, rings about 2.8% of accounts',
      shares: { ...LOOK_ALIKES, ...MIXED_RINGS },
    },
  ],
  [
    'worlds',
    {
      name: 'worlds',
      description: 'the base of the robustness sweep: `mixed` plus a ring camouflaged in shared networks (1%); world knobs (--world) vary the rest',
      shares: { ...LOOK_ALIKES, ...MIXED_RINGS, 'network-camouflage': 0.01 },
    },
  ],
  ...RING_TYPES.map((t): [string, ScenarioSpec] => [
    t,
    {
      name: t,
      description: FOCUSED_DESCRIPTIONS[t],
      shares: { ...LOOK_ALIKES, [t]: FOCUSED_RING_SHARE },
      ...(FOCUSED_WORLDS[t] ? { world: FOCUSED_WORLDS[t] } : {}),
    },
  ]),
]);

export const SCENARIO_NAMES: readonly string[] = [...SCENARIOS.keys()];
