import type { AccountAttrs, ActivitySeries, Capability, IdentifierGroup, LinkageInput, Membership, PromptMarker } from '../../src/graph/types.js';
import { mulberry32 } from '../../src/util/hash.js';

/**
 * A small hand-built population with known answers: a proxy "hydra" ring, a careful ring sharing no
 * infrastructure (only rare templates and timing), a legitimate organisation, a family, a CGNAT
 * hub, a benchmark company, and individual background users. Built by hand for the tests (not the
 * scenario generator), seeded, small enough for Neo4j tests to stay fast.
 */
export type Role = 'hydra' | 'careful' | 'org' | 'family' | 'cgnat' | 'benchmark' | 'background';

export interface Fixture {
  readonly input: LinkageInput;
  readonly roles: ReadonlyMap<string, Role>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 9, 1);
const H0 = T0 / HOUR;
const WINDOW_DAYS = 28;

interface Builder {
  accounts: Map<string, AccountAttrs>;
  groups: Map<string, { g: Omit<IdentifierGroup, 'members'>; members: Map<string, Membership> }>;
  activity: Map<string, Map<number, number>>;
  roles: Map<string, Role>;
  rng: () => number;
}

function use(b: Builder, g: Omit<IdentifierGroup, 'members'>, account: string, firstSeen: number, lastSeen: number, count: number): void {
  const k = `${g.kind}\0${g.key}`;
  let e = b.groups.get(k);
  if (!e) b.groups.set(k, (e = { g, members: new Map() }));
  const m = e.members.get(account);
  e.members.set(
    account,
    m
      ? { account, firstSeen: Math.min(m.firstSeen, firstSeen), lastSeen: Math.max(m.lastSeen, lastSeen), count: m.count + count }
      : { account, firstSeen, lastSeen, count },
  );
}

function ip(b: Builder, address: string, account: string, f: number, l: number, requests: number, isProxy = false): void {
  use(b, { kind: 'ip', key: address, isProxy }, account, f, l, requests);
  const subnet = `${address.split('.').slice(0, 3).join('.')}.0/24`;
  use(b, { kind: 'subnet', key: subnet }, account, f, l, requests);
}

function prompt(
  b: Builder,
  key: string,
  capability: Capability,
  fpKind: 'template' | 'minhash' | 'system',
  account: string,
  count: number,
  markers: PromptMarker[] = [],
): void {
  use(b, { kind: 'prompt', key, capability, fpKind, ...(markers.length ? { markers } : {}) }, account, T0, T0 + WINDOW_DAYS * DAY, count);
}

function active(b: Builder, account: string, hour: number, requests: number): void {
  let m = b.activity.get(account);
  if (!m) b.activity.set(account, (m = new Map()));
  m.set(hour, (m.get(hour) ?? 0) + requests);
}

/** Human diurnal activity: some days, a few hours around a personal time of day. */
function human(b: Builder, account: string, tzShift: number, dayProb = 0.5, businessOnly = false): void {
  for (let d = 0; d < WINDOW_DAYS; d++) {
    const weekday = new Date(T0 + d * DAY).getUTCDay();
    if (businessOnly && (weekday === 0 || weekday === 6)) continue;
    if (b.rng() > dayProb) continue;
    const start = businessOnly ? 9 : 8 + Math.floor(b.rng() * 12);
    const len = businessOnly ? 8 : 1 + Math.floor(b.rng() * 3);
    for (let h = start; h < start + len; h++)
      if (!businessOnly || b.rng() < 0.8) active(b, account, H0 + d * 24 + ((h + tzShift + 24) % 24), 1 + Math.floor(b.rng() * 4));
  }
}

const FREE = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'hotmail.com'];
const CAPS: Capability[] = ['coding', 'writing', 'other', 'reasoning', 'writing', 'other'];

export interface FixtureOptions {
  /** Background users. @defaultValue 140 */
  readonly background?: number;
  /** Extra hydra accounts created after the others (respawn tests). @defaultValue 0 */
  readonly hydraRespawns?: number;
  readonly seed?: number;
}

export function buildFixture(opts: FixtureOptions = {}): Fixture {
  const b: Builder = { accounts: new Map(), groups: new Map(), activity: new Map(), roles: new Map(), rng: mulberry32(opts.seed ?? 7) };
  const r = (): number => b.rng();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const acct = (id: string, role: Role, attrs: Omit<AccountAttrs, 'id'>): string => {
    b.accounts.set(id, { id, ...attrs });
    b.roles.set(id, role);
    return id;
  };
  const span = (f: number): [number, number] => [f, f + (3 + Math.floor(r() * 20)) * DAY];

  // Background individuals: own card, own home IP, diverse prompts, human hours, created over a year.
  const bgCount = opts.background ?? 140;
  for (let i = 0; i < bgCount; i++) {
    const id = acct(`bg-${String(i).padStart(3, '0')}`, 'background', {
      createdAt: T0 - Math.floor(r() * 365) * DAY,
      emailDomain: pick(FREE),
      verified: r() < 0.7,
      country: 'US',
    });
    use(b, { kind: 'payment', key: `card-bg-${i}` }, id, ...span(T0), 1);
    ip(b, `10.${i % 200}.${Math.floor(i / 200)}.${i % 250}`, id, ...span(T0), 50);
    const tool = r() < 0.4;
    if (tool) prompt(b, 'sys-popular-ide-assistant', 'coding', 'system', id, 20);
    for (let k = 0; k < 6; k++) prompt(b, `mh-bg-${i}-${k}`, pick(CAPS), 'minhash', id, 1 + Math.floor(r() * 10));
    human(b, id, Math.floor(r() * 10) - 5);
  }
  // A CGNAT hub: 60 background users behind one carrier IP, at overlapping times.
  for (let i = 0; i < Math.min(60, bgCount); i++) {
    const id = `bg-${String(i).padStart(3, '0')}`;
    b.roles.set(id, 'cgnat');
    ip(b, '100.64.0.1', id, T0, T0 + WINDOW_DAYS * DAY, 30);
  }

  // Hydra ring: 24 accounts in 3 creation waves, 4 rotated cards, datacenter proxies, templated
  // coding/agentic prompts with CoT markers, one synchronised 24/7 schedule.
  const hydraTemplates = Array.from({ length: 8 }, (_, k) => `tpl-hydra-${k}`);
  const schedule = new Set<number>();
  for (let h = 0; h < WINDOW_DAYS * 24; h++) if (r() < 0.45) schedule.add(h);
  const hydra = (i: number, wave: number): void => {
    const created = T0 - 20 * DAY + wave * 6 * DAY + Math.floor(r() * 10) * HOUR;
    const id = acct(`hy-${String(i).padStart(3, '0')}`, 'hydra', {
      createdAt: created,
      emailDomain: pick(FREE),
      verified: r() < 0.1,
      country: pick(['US', 'SG', 'NL']),
    });
    const f = Math.max(created, T0);
    use(b, { kind: 'payment', key: `card-hydra-${i % 4}` }, id, f, f + 10 * DAY, 3);
    for (let k = 0; k < 3; k++) ip(b, `203.0.113.${1 + Math.floor(r() * 12)}`, id, f, f + 12 * DAY, 200, true);
    for (const t of hydraTemplates)
      if (r() < 0.7) prompt(b, t, t.endsWith('0') || t.endsWith('1') ? 'agentic' : 'coding', 'template', id, 80, r() < 0.6 ? ['cot'] : []);
    for (const h of schedule) if (r() < 0.9) active(b, id, H0 + h, 1 + Math.floor(r() * 2));
  };
  for (let i = 0; i < 24; i++) hydra(i, Math.floor(i / 8));

  // Careful ring: 12 accounts, own cards and residential IPs, rare cyber/reasoning templates with
  // rubric markers, synchronised bursts; created in 2 waves.
  const carefulSchedule: number[] = [];
  for (let h = 0; h < WINDOW_DAYS * 24; h++) if (r() < 0.25) carefulSchedule.push(h);
  for (let i = 0; i < 12; i++) {
    const id = acct(`cr-${String(i).padStart(3, '0')}`, 'careful', {
      createdAt: T0 - 40 * DAY + (i < 6 ? 0 : 9 * DAY) + Math.floor(r() * 20) * HOUR,
      emailDomain: pick(FREE),
      verified: r() < 0.3,
      country: 'US',
    });
    use(b, { kind: 'payment', key: `card-careful-${i}` }, id, ...span(T0), 1);
    ip(b, `198.51.${100 + i}.${10 + i}`, id, ...span(T0), 100);
    for (let k = 0; k < 12; k++)
      if (r() < 0.7) prompt(b, `tpl-careful-${k}`, k % 2 ? 'cyber' : 'reasoning', 'template', id, 40, k % 3 === 0 ? ['rubric'] : ['cot']);
    for (const h of carefulSchedule) if (r() < 0.85) active(b, id, H0 + h, 1 + Math.floor(r() * 3));
  }

  // Legitimate organisation: 15 verified accounts on acme-corp.com, one corporate card, one office
  // IP, created over 6 months, business hours, diverse capabilities.
  for (let i = 0; i < 15; i++) {
    const id = acct(`org-${String(i).padStart(3, '0')}`, 'org', {
      createdAt: T0 - 200 * DAY + i * 12 * DAY,
      emailDomain: 'acme-corp.com',
      verified: true,
      country: 'DE',
    });
    use(b, { kind: 'payment', key: 'card-acme-corporate' }, id, T0, T0 + WINDOW_DAYS * DAY, 5);
    ip(b, '192.0.2.10', id, T0, T0 + WINDOW_DAYS * DAY, 300);
    ip(b, `172.16.${i}.${i + 2}`, id, ...span(T0), 20);
    prompt(b, 'tpl-acme-internal-review', 'writing', 'template', id, 10);
    for (let k = 0; k < 8; k++) prompt(b, `mh-org-${i}-${k}`, pick(CAPS), 'minhash', id, 1 + Math.floor(r() * 10));
    human(b, id, 0, 0.9, true);
  }

  // Family: 3 accounts sharing a card and a home IP.
  for (let i = 0; i < 3; i++) {
    const id = acct(`fam-${i}`, 'family', { createdAt: T0 - (100 + i * 60) * DAY, emailDomain: pick(FREE), verified: i < 2, country: 'FR' });
    use(b, { kind: 'payment', key: 'card-family' }, id, T0, T0 + 20 * DAY, 2);
    ip(b, '192.0.2.77', id, T0, T0 + 25 * DAY, 40);
    for (let k = 0; k < 5; k++) prompt(b, `mh-fam-${i}-${k}`, pick(CAPS), 'minhash', id, 3);
    human(b, id, 1);
  }

  // Benchmark company: 10 verified accounts, one domain, corporate card, datacenter IPs, narrow
  // templated coding traffic at high volume, steady creation, business-like hours.
  for (let i = 0; i < 10; i++) {
    const id = acct(`bm-${String(i).padStart(3, '0')}`, 'benchmark', {
      createdAt: T0 - 150 * DAY + i * 14 * DAY,
      emailDomain: 'evalbench.io',
      verified: true,
      country: 'US',
    });
    use(b, { kind: 'payment', key: 'card-evalbench' }, id, T0, T0 + WINDOW_DAYS * DAY, 4);
    ip(b, `198.18.0.${1 + (i % 3)}`, id, T0, T0 + WINDOW_DAYS * DAY, 900, true);
    for (let k = 0; k < 5; k++) prompt(b, `tpl-bench-${k}`, 'coding', 'template', id, 300);
    human(b, id, -6, 0.95, true);
  }

  // Respawns last, from their own generator, so that the rest of the population is unchanged.
  b.rng = mulberry32((opts.seed ?? 7) + 1000);
  for (let i = 0; i < (opts.hydraRespawns ?? 0); i++) hydra(100 + i, 3);

  const identifiers: IdentifierGroup[] = [...b.groups.values()].map((e) => ({ ...e.g, members: [...e.members.values()] }));
  const activity = new Map<string, ActivitySeries>();
  for (const [a, m] of b.activity) {
    const hs = [...m.keys()].sort((x, y) => x - y);
    activity.set(a, { hours: Int32Array.from(hs), requests: Float64Array.from(hs, (h) => m.get(h)!) });
  }
  return { input: { accounts: b.accounts, identifiers, activity }, roles: b.roles };
}
