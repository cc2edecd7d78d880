import { beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate, generateNight, readManifest, ringTypeOf, SCENARIO_NAMES, type NightSummary } from '../../src/generator/index.js';
import { InvalidParameterError } from '../../src/util/errors.js';
import { readCsv, type Rec } from './drop-reader.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-night-'));
const NIGHT_FILES = ['accounts.csv', 'payment_methods.csv', 'ip_addresses.csv', 'prompt_fingerprints.csv', 'activity.csv'];
const H = 3_600_000;
// Default window: 2026-01-16T00:00Z + 44 days; night 2 is the day after it.
const NIGHT2 = Date.parse('2026-03-01T00:00:00Z');

interface NightDrop {
  accounts: Rec[];
  payments: Rec[];
  ips: Rec[];
  prompts: Rec[];
  activity: Rec[];
  night: Rec[];
  truth: Rec[];
}

function readNight(out: string, day: number): NightDrop {
  const d = (f: string): Rec[] => readCsv(path.join(out, `drop-day-${day}`, f));
  return {
    accounts: d('accounts.csv'),
    payments: d('payment_methods.csv'),
    ips: d('ip_addresses.csv'),
    prompts: d('prompt_fingerprints.csv'),
    activity: d('activity.csv'),
    night: readCsv(path.join(out, 'night.csv')),
    truth: readCsv(path.join(out, 'truth.csv')),
  };
}

const touchedIds = (n: NightDrop): Set<string> => new Set([n.accounts, n.payments, n.ips, n.prompts, n.activity].flat().map((r) => r.account_id!));

/** Which rows of a drop (night 1's or a night's) each account holds, per identifier kind. */
function idsOf(rows: Rec[], key: string, accounts: Set<string>): Set<string> {
  return new Set(rows.filter((r) => accounts.has(r.account_id!)).map((r) => r[key]!));
}

describe('the first drop', () => {
  it('is what it was before nights existed (same bytes), with generate.json beside it', async () => {
    // sha256 over the six files of mixed/800/seed 42, as written by the generator before issue #20.
    const out = path.join(tmp, 'pin');
    await generate({ scenario: 'mixed', accounts: 800, seed: 42, out });
    const h = crypto.createHash('sha256');
    for (const f of [...NIGHT_FILES.map((x) => `drop/${x}`), 'truth.csv']) h.update(fs.readFileSync(path.join(out, f)));
    expect(h.digest('hex')).toBe('fb265361674b3be91da5b28943430cb416acd47f34cfd11612d39013d09a4216');
    const { manifest } = readManifest(out);
    expect(manifest).toMatchObject({ scenario: 'mixed', accounts: 800, seed: 42, day: 1, drop: 'drop', worldAccounts: 800, nights: [] });
  });
});

describe('generate --day N --from: determinism, validation', () => {
  const n1 = path.join(tmp, 'det-n1');
  beforeAll(async () => {
    await generate({ scenario: 'mixed', accounts: 3000, seed: 11, out: n1 });
  });

  it('writes byte-identical nights for the same world, different ones for another seed', async () => {
    await generateNight({ from: n1, out: path.join(tmp, 'det-a') });
    await generateNight({ from: path.join(n1, 'drop'), out: path.join(tmp, 'det-b') });
    const other = path.join(tmp, 'det-other-n1');
    await generate({ scenario: 'mixed', accounts: 3000, seed: 12, out: other });
    await generateNight({ from: other, out: path.join(tmp, 'det-c') });
    const hash = (dir: string, f: string) =>
      crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(tmp, dir, f)))
        .digest('hex');
    for (const f of [...NIGHT_FILES.map((x) => `drop-day-2/${x}`), 'truth.csv', 'night.csv', 'generate.json']) {
      expect(hash('det-a', f), f).toBe(hash('det-b', f));
      if (f !== 'generate.json') expect(hash('det-a', f), f).not.toBe(hash('det-c', f));
    }
  });

  it('records the night in generate.json and chains: night 3 from night 2 replays night 2', async () => {
    const s3 = await generateNight({ from: path.join(tmp, 'det-a'), out: path.join(tmp, 'det-a3') });
    const { manifest } = readManifest(path.join(tmp, 'det-a3'));
    expect(manifest.day).toBe(3);
    expect(manifest.drop).toBe('drop-day-3');
    expect(manifest.nights.map((k) => k.day)).toEqual([2, 3]);
    expect(readCsv(path.join(tmp, 'det-a3', 'truth.csv'))).toHaveLength(manifest.worldAccounts);
    expect(s3.accountsBefore).toBe(readManifest(path.join(tmp, 'det-a')).manifest.worldAccounts);
    // Night 3's new accounts are new to the world after night 2.
    const before = new Set(readCsv(path.join(tmp, 'det-a', 'truth.csv')).map((r) => r.account_id));
    for (const r of readCsv(path.join(tmp, 'det-a3', 'drop-day-3', 'accounts.csv'))) expect(before.has(r.account_id)).toBe(false);
  });

  it('refuses a folder that is not a generated drop, a wrong day, an output equal to --from and bad knobs, naming the option', async () => {
    const plain = fs.mkdtempSync(path.join(tmp, 'plain-'));
    const err = async (p: Promise<unknown>, option: string) => {
      const e = await p.then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(InvalidParameterError);
      expect((e as InvalidParameterError).message.startsWith(`${option}:`), (e as Error).message).toBe(true);
      expect((e as Error).message).not.toMatch(/\n/);
    };
    await err(generateNight({ from: plain, out: path.join(tmp, 'e1') }), 'from');
    await err(generateNight({ from: path.join(tmp, 'missing'), out: path.join(tmp, 'e1') }), 'from');
    fs.writeFileSync(path.join(plain, 'generate.json'), '{"format":"something else"}');
    await err(generateNight({ from: plain, out: path.join(tmp, 'e1') }), 'from');
    await err(generateNight({ from: n1, out: path.join(tmp, 'e2'), day: 3 }), 'day');
    await err(generateNight({ from: n1, out: n1 }), 'out');
    await err(generateNight({ from: n1, out: path.join(tmp, 'e3'), touchShare: 0 }), 'touchShare');
    await err(generateNight({ from: n1, out: path.join(tmp, 'e4'), banShare: 1.5 }), 'banShare');
    await err(generateNight({ from: n1, out: path.join(tmp, 'det-a') }), 'out');
  });
});

describe('a night of a 20k-account world', () => {
  const n1 = path.join(tmp, 'big-n1');
  const n2 = path.join(tmp, 'big-n2');
  let s: NightSummary;
  let night: NightDrop;
  let truth1: Rec[];
  beforeAll(async () => {
    await generate({ scenario: 'mixed', accounts: 20_000, seed: 5, out: n1 });
    s = await generateNight({ from: n1, out: n2 });
    night = readNight(n2, 2);
    truth1 = readCsv(path.join(n1, 'truth.csv'));
  }, 120_000);

  it('touches about 1% of the accounts by default (new or seen before)', () => {
    const touched = touchedIds(night).size;
    expect(touched).toBe(s.touched);
    expect(touched / 20_000).toBeGreaterThan(0.009);
    expect(touched / 20_000).toBeLessThan(0.011);
    // Returning accounts make up most of it; every event of the night is present.
    for (const e of ['new', 'observed', 'grow', 'respawn', 'new_ring', 'banned']) expect(s.events[e], e).toBeGreaterThan(0);
  });

  it('holds only rows new for the night: new accounts only, every timestamp inside its 24 hours', () => {
    const before = new Set(truth1.map((r) => r.account_id!));
    const created = night.night.filter((r) => r.event !== 'observed' && r.event !== 'banned').map((r) => r.account_id!);
    expect(new Set(night.accounts.map((r) => r.account_id))).toEqual(new Set(created));
    for (const id of created) expect(before.has(id)).toBe(false);
    for (const r of night.night.filter((x) => x.event === 'observed' || x.event === 'banned')) expect(before.has(r.account_id!)).toBe(true);
    const inside = (t: string) => {
      const ms = Date.parse(t);
      expect(ms).toBeGreaterThanOrEqual(NIGHT2);
      expect(ms).toBeLessThan(NIGHT2 + 24 * H);
    };
    for (const r of night.accounts) inside(r.created_at!);
    for (const r of [...night.payments, ...night.ips, ...night.prompts]) {
      inside(r.first_seen!);
      inside(r.last_seen!);
    }
    for (const r of night.activity) inside(r.hour!);
    // Banned accounts send nothing; truth after the night = truth before + the new accounts.
    const banned = new Set(night.night.filter((r) => r.event === 'banned').map((r) => r.account_id!));
    for (const id of touchedIds(night)) expect(banned.has(id)).toBe(false);
    expect(night.truth.slice(0, truth1.length)).toEqual(truth1);
    expect(night.truth.slice(truth1.length).map((r) => r.account_id)).toEqual(created);
  });

  it('observed accounts come back on their own identifiers (a night adds traffic, not a different person)', () => {
    const d1ips = readCsv(path.join(n1, 'drop', 'ip_addresses.csv'));
    const label = new Map(truth1.map((r) => [r.account_id!, r.label!]));
    const observed = night.night.filter((r) => r.event === 'observed' && label.get(r.account_id!) !== 'ring').map((r) => r.account_id!);
    expect(observed.length).toBeGreaterThan(50);
    const byAccount = new Map<string, Set<string>>();
    for (const r of d1ips) (byAccount.get(r.account_id!) ?? byAccount.set(r.account_id!, new Set()).get(r.account_id!)!).add(r.ip!);
    let same = 0;
    for (const id of observed) if (night.ips.some((r) => r.account_id === id && byAccount.get(id)?.has(r.ip!))) same++;
    expect(same / observed.length).toBeGreaterThan(0.9);
  });

  it('a new ring appears: in truth, with its accounts in the night drop', () => {
    expect(s.newRing).toMatch(/^ring:/);
    expect(truth1.some((r) => r.group === s.newRing)).toBe(false);
    const members = night.truth.filter((r) => r.group === s.newRing);
    expect(members.length).toBeGreaterThanOrEqual(20);
    expect(members.every((r) => r.label === 'ring')).toBe(true);
    const created = new Set(night.accounts.map((r) => r.account_id));
    for (const m of members) expect(created.has(m.account_id)).toBe(true);
    // Its members share its templates.
    const fps = night.prompts.filter((r) => members.some((m) => m.account_id === r.account_id) && r.kind === 'template');
    const users = new Map<string, Set<string>>();
    for (const r of fps) (users.get(r.fingerprint!) ?? users.set(r.fingerprint!, new Set()).get(r.fingerprint!)!).add(r.account_id!);
    expect(Math.max(...[...users.values()].map((u) => u.size))).toBeGreaterThan(members.length / 3);
  });
});

describe('hydra respawn', () => {
  const n1 = path.join(tmp, 'hy-n1');
  const n2 = path.join(tmp, 'hy-n2');
  beforeAll(async () => {
    await generate({ scenario: 'hydra', accounts: 6000, seed: 8, out: n1 });
    await generateNight({ from: n1, out: n2, banShare: 0.4, newRing: false });
  }, 60_000);

  it("replaces each banned account by one on the same ring's cards, proxy pool and templates", () => {
    const night = readNight(n2, 2);
    const group = new Map(night.truth.map((r) => [r.account_id!, r.group!]));
    const respawns = night.night.filter((r) => r.event === 'respawn');
    expect(respawns.length).toBeGreaterThanOrEqual(15);
    expect(night.night.filter((r) => r.event === 'banned')).toHaveLength(respawns.length);
    const d1 = {
      cards: readCsv(path.join(n1, 'drop', 'payment_methods.csv')),
      ips: readCsv(path.join(n1, 'drop', 'ip_addresses.csv')),
      prompts: readCsv(path.join(n1, 'drop', 'prompt_fingerprints.csv')),
    };
    let card = 0;
    let ip = 0;
    let template = 0;
    for (const r of respawns) {
      const g = group.get(r.replaces!)!;
      expect(group.get(r.account_id!)).toBe(g);
      expect(ringTypeOf(g)).toBe('hydra');
      const ring = new Set(night.truth.filter((t) => t.group === g).map((t) => t.account_id!));
      const me = new Set([r.account_id!]);
      const has = (rows: Rec[], key: string) => {
        const ringIds = idsOf(rows, key, ring);
        return [...idsOf(key === 'payment_fingerprint' ? night.payments : key === 'ip' ? night.ips : night.prompts, key, me)].some((x) => ringIds.has(x));
      };
      if (has(d1.cards, 'payment_fingerprint')) card++;
      if (has(d1.ips, 'ip')) ip++;
      if (has(d1.prompts, 'fingerprint')) template++;
    }
    // Hydra accounts pay with a shared prepaid card 90% of the time; the pool is 1.2 × the ring.
    expect(card / respawns.length).toBeGreaterThan(0.75);
    expect(ip / respawns.length).toBeGreaterThan(0.9);
    expect(template).toBe(respawns.length);
  });

  it('--no-respawn bans and replaces nobody; --no-new-ring adds no ring', async () => {
    const s = await generateNight({ from: n1, out: path.join(tmp, 'hy-off'), respawn: false, newRing: false });
    expect(s.events.respawn ?? 0).toBe(0);
    expect(s.events.banned ?? 0).toBe(0);
    expect(s.events.new_ring ?? 0).toBe(0);
    expect(s.newRing).toBeUndefined();
    expect(s.events.grow).toBeGreaterThan(0);
  });
});

describe('nights of every scenario', () => {
  it('every scenario and a --world world make a night that names only the scenario ring types and loads as a drop', async () => {
    for (const scenario of SCENARIO_NAMES) {
      const n1 = path.join(tmp, `sc-${scenario}`);
      await generate({
        scenario,
        accounts: 1500,
        seed: 2,
        out: n1,
        ...(scenario === 'worlds' ? { world: { ringSchedule: 'office', creation: 'steady', hubExitUsers: [20, 60], evalSurge: true } } : {}),
      });
      const s = await generateNight({ from: n1, out: path.join(tmp, `sc-${scenario}-2`), touchShare: 0.05 });
      const night = readNight(path.join(tmp, `sc-${scenario}-2`), 2);
      expect(touchedIds(night).size, scenario).toBe(s.touched);
      expect(night.activity.length, scenario).toBeGreaterThan(0);
      const types1 = new Set(
        readCsv(path.join(n1, 'truth.csv'))
          .filter((r) => r.label === 'ring')
          .map((r) => ringTypeOf(r.group!)),
      );
      expect(types1.has(ringTypeOf(s.newRing!)), scenario).toBe(true);
    }
  }, 120_000);

  it('a world with planted ring sizes (world.ringSizes) keeps them through generate.json', async () => {
    const n1 = path.join(tmp, 'sizes-n1');
    await generate({ scenario: 'worlds', accounts: 2000, seed: 4, out: n1, world: { ringSizes: { hydra: [40, 25], careful: [20] } } });
    const s = await generateNight({ from: n1, out: path.join(tmp, 'sizes-n2'), newRing: false });
    expect(readManifest(path.join(tmp, 'sizes-n2')).manifest.world).toEqual({ ringSizes: { hydra: [40, 25], careful: [20] } });
    expect(s.events.grow).toBeGreaterThan(0);
  });

  it('a raw-prompts world writes the night as prompts.ndjson beside the drop, timestamps inside the night', async () => {
    const n1 = path.join(tmp, 'raw-n1');
    await generate({ scenario: 'hydra', accounts: 600, seed: 3, out: n1, rawPrompts: true });
    const s = await generateNight({ from: n1, out: path.join(tmp, 'raw-n2'), touchShare: 0.1 });
    expect(s.promptsFile).toBe(path.join(tmp, 'raw-n2', 'prompts.ndjson'));
    expect(fs.existsSync(path.join(tmp, 'raw-n2', 'drop-day-2', 'prompt_fingerprints.csv'))).toBe(false);
    const lines = fs.readFileSync(s.promptsFile!, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines) {
      const ms = Date.parse((JSON.parse(l) as { ts: string }).ts);
      expect(ms).toBeGreaterThanOrEqual(NIGHT2);
      expect(ms).toBeLessThan(NIGHT2 + 24 * H);
    }
  });
});
