/** Scenario generator: synthetic drops with ground truth, and the nights after them (see docs/scenarios.md). */
export { generate, planFor, isoSeconds, DEFAULTS, DROP_FILES, type GenerateOptions, type GenerateSummary } from './generate.js';
export { SCENARIOS, SCENARIO_NAMES, type ScenarioSpec, type PopulationKind } from './scenarios.js';
export { RING_TYPES, LEGIT_LABELS, ringTypeOf, type RingType, type LegitLabel, type TruthLabel } from './vocab.js';
export { buildPlan, segmentOf, GROUP_SIZES, MIN_RING_SIZE, type Plan, type Segment, type TimeWindow } from './plan.js';
export { generateAccount, type AccountRecord } from './account-rows.js';
export { Rng, hash32, hexId } from './prng.js';
export {
  scaffoldTemplate,
  scaffoldPrompt,
  naturalTask,
  organicPrompt,
  PARAPHRASE_DEFAULTS,
  type ScaffoldTemplate,
  type ParaphraseOptions,
} from './scaffold-text.js';
export { validateWorld, drawWorld, worldAccounts, WORLD_RANGES, RING_BUDGET, MAX_RING_SHARE, type WorldParams } from './world.js';
export { generateNight, worldAt, NIGHT_DEFAULTS, type NightOptions, type NightSummary } from './night.js';
export {
  advance,
  baseWorld,
  isLive,
  nightWindow,
  observedSlots,
  validateNightKnobs,
  NIGHT_KNOB_DEFAULTS,
  NEW_RING_SIZE,
  type NightKnobs,
  type NightAccount,
  type NightEvent,
  type Night,
  type World,
} from './night-world.js';
export { readManifest, MANIFEST_FILE, MANIFEST_FORMAT, type GeneratorManifest } from './manifest.js';
