/**
 * The truth vocabulary (labels, ring types, group names) and the reference values the generator
 * draws identifiers from. See docs/scenarios.md.
 */
import { DEFAULT_TARGET_CAPABILITIES, type BuiltInCapability } from '../vocabulary/capabilities.js';

/** Ring (attack) types. A ring's truth group is `ring:<type>-<n>`, so the type is parseable. */
export const RING_TYPES = ['hydra', 'datacenter', 'careful', 'camouflage', 'shared-reseller', 'release-shift', 'network-camouflage'] as const;
export type RingType = (typeof RING_TYPES)[number];

/** Legitimate categories (truth labels other than `ring`). */
export const LEGIT_LABELS = ['legit_individual', 'legit_tool_user', 'legit_org', 'legit_family', 'legit_cgnat', 'legit_campus', 'legit_benchmark'] as const;
export type LegitLabel = (typeof LEGIT_LABELS)[number];
export type TruthLabel = 'ring' | LegitLabel;

/** Parse `ring:hydra-3` into its ring type; undefined for anything that is not a ring group. */
export function ringTypeOf(group: string): RingType | undefined {
  const m = /^ring:(.+)-\d+$/.exec(group);
  if (!m) return undefined;
  return (RING_TYPES as readonly string[]).includes(m[1]!) ? (m[1] as RingType) : undefined;
}

export const FREE_EMAIL = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'icloud.com', 'qq.com', '163.com', 'hotmail.com', 'gmx.de', 'mail.ru'];
export const FREE_EMAIL_WEIGHTS = [40, 14, 6, 5, 8, 6, 4, 6, 3, 3];

/** Countries with an hour offset used to place "local business hours" and evenings. */
export const COUNTRIES: ReadonlyArray<{ code: string; tz: number; weight: number }> = [
  { code: 'US', tz: -6, weight: 30 },
  { code: 'GB', tz: 0, weight: 7 },
  { code: 'DE', tz: 1, weight: 7 },
  { code: 'FR', tz: 1, weight: 5 },
  { code: 'IN', tz: 5, weight: 10 },
  { code: 'BR', tz: -3, weight: 5 },
  { code: 'JP', tz: 9, weight: 5 },
  { code: 'KR', tz: 9, weight: 4 },
  { code: 'CA', tz: -5, weight: 5 },
  { code: 'SG', tz: 8, weight: 3 },
  { code: 'AU', tz: 10, weight: 3 },
  { code: 'NL', tz: 1, weight: 3 },
  { code: 'CN', tz: 8, weight: 3 },
  { code: 'HK', tz: 8, weight: 2 },
  { code: 'PL', tz: 1, weight: 3 },
  { code: 'MX', tz: -6, weight: 3 },
];

/** Autonomous systems by kind (real, well-known ASNs; written digits only). */
export const ASN = {
  residential: ['7922', '7018', '701', '20115', '3320', '2856', '5089', '3215', '12322', '4134', '4837', '9829', '6830', '1221', '577', '812'],
  mobile: ['21928', '22394', '20057', '6167', '12430', '3209', '55836', '45609', '9808'],
  hosting: ['16509', '14061', '24940', '16276', '63949', '8075', '396982', '20473', '51167', '60781'],
  campus: ['3', '73', '32', '25', '786', '2152', '680', '1103'],
  business: ['174', '3356', '6461', '1299', '6939', '2914', '3257'],
} as const;

/** A few prepaid-card BINs (the reports' rings pay with prepaid or virtual cards). */
export const PREPAID_BINS = ['423223', '434256', '485340', '511563', '530133', '537410', '462239'];

export { CAPABILITIES } from '../vocabulary/capabilities.js';
/** What distillation rings target, per the public reports: coding, agentic/tool use, cyber, CoT. */
export const RING_CAPABILITIES: readonly BuiltInCapability[] = DEFAULT_TARGET_CAPABILITIES;
/** Ordinary users' mix of capabilities (in the order of CAPABILITIES). */
export const LEGIT_CAPABILITY_WEIGHTS = [30, 8, 2, 10, 30, 20];
