import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  drawWorld,
  generate,
  MAX_RING_SHARE,
  RING_BUDGET,
  RING_TYPES,
  ringTypeOf,
  SCENARIO_NAMES,
  validateWorld,
  worldAccounts,
  WORLD_RANGES,
} from '../../src/generator/index.js';
import { InvalidParameterError } from '../../src/util/errors.js';
import { auc, readSmallDrop, usersOf, type SmallDrop } from './drop-reader.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ringscope-gen-'));
const FILES = ['drop/accounts.csv', 'drop/payment_methods.csv', 'drop/ip_addresses.csv', 'drop/prompt_fingerprints.csv', 'drop/activity.csv', 'truth.csv'];
const RELEASE = Date.parse('2026-02-12T17:00:00Z');
const H = 3_600_000;

describe('generate: determinism and contract', () => {
  it('writes byte-identical files for the same seed and different files for another seed', async () => {
    const a = path.join(tmp, 'det-a');
    const b = path.join(tmp, 'det-b');
    const c = path.join(tmp, 'det-c');
    await generate({ scenario: 'mixed', accounts: 800, seed: 42, out: a });
    await generate({ scenario: 'mixed', accounts: 800, seed: 42, out: b });
    await generate({ scenario: 'mixed', accounts: 800, seed: 43, out: c });
    for (const f of FILES) {
      const x = fs.readFileSync(path.join(a, f));
      expect(x.length).toBeGreaterThan(0);
      expect(x.equals(fs.readFileSync(path.join(b, f))), f).toBe(true);
      expect(x.equals(fs.readFileSync(path.join(c, f))), f).toBe(false);
    }
  });

  it('writes the contract headers, ISO-8601 Z timestamps, and truth beside (not inside) the drop', async () => {
    const out = path.join(tmp, 'det-a');
    expect(fs.readdirSync(path.join(out, 'drop')).sort()).toEqual([
      'accounts.csv',
      'activity.csv',
      'ip_addresses.csv',
      'payment_methods.csv',
      'prompt_fingerprints.csv',
    ]);
    const head = (f: string) => fs.readFileSync(path.join(out, f), 'utf8').split('\n')[0];
    expect(head('drop/accounts.csv')).toBe('account_id,created_at,email_domain,country,verified,plan');
    expect(head('drop/payment_methods.csv')).toBe('account_id,payment_fingerprint,first_seen,last_seen,card_bin,card_country');
    expect(head('drop/ip_addresses.csv')).toBe('account_id,ip,first_seen,last_seen,requests,asn,is_proxy');
    expect(head('drop/prompt_fingerprints.csv')).toBe('account_id,fingerprint,first_seen,last_seen,count,capability,kind,markers');
    expect(head('drop/activity.csv')).toBe('account_id,hour,requests');
    expect(head('truth.csv')).toBe('account_id,label,group');
    const d = readSmallDrop(out);
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
    for (const r of d.activity) {
      expect(r.hour).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
      expect(Number(r.requests)).toBeGreaterThan(0);
    }
    for (const r of [...d.payments, ...d.ips, ...d.prompts]) {
      expect(r.first_seen).toMatch(iso);
      expect(Date.parse(r.first_seen!)).toBeLessThanOrEqual(Date.parse(r.last_seen!));
    }
    for (const r of d.prompts) {
      expect(['coding', 'agentic', 'cyber', 'reasoning', 'writing', 'other']).toContain(r.capability);
      expect(['template', 'minhash', 'system']).toContain(r.kind);
      expect(r.markers).toMatch(/^((cot|rubric)(;(cot|rubric))*)?$/);
    }
    expect(new Set(d.truth.map((t) => t.account_id)).size).toBe(800);
    expect(new Set(d.accounts.map((t) => t.account_id))).toEqual(new Set(d.truth.map((t) => t.account_id)));
  });

  it('rejects an unknown scenario and a non-empty output without --force', async () => {
    await expect(generate({ scenario: 'nope', accounts: 100, seed: 1, out: path.join(tmp, 'x') })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(generate({ scenario: 'mixed', accounts: 800, seed: 1, out: path.join(tmp, 'det-a') })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(generate({ scenario: 'mixed', accounts: 100, seed: 1, out: path.join(tmp, 'y'), releaseDate: '2030-01-01T00:00:00Z' })).rejects.toBeInstanceOf(
      InvalidParameterError,
    );
  });

  it('every scenario generates and plants its ring type', async () => {
    for (const s of SCENARIO_NAMES.filter((n) => n !== 'mixed' && n !== 'worlds')) {
      const out = path.join(tmp, `focus-${s}`);
      const sum = await generate({ scenario: s, accounts: 400, seed: 3, out });
      const d = readSmallDrop(out);
      const types = new Set(d.truth.filter((t) => t.label === 'ring').map((t) => ringTypeOf(t.group!)));
      expect([...types]).toEqual([s]);
      expect(sum.labels.ring).toBeGreaterThanOrEqual(16);
    }
  });
});

describe('generate: leak-freedom', () => {
  let d: SmallDrop;
  beforeAll(async () => {
    await generate({ scenario: 'mixed', accounts: 3000, seed: 11, out: path.join(tmp, 'leak') });
    d = readSmallDrop(path.join(tmp, 'leak'));
  });

  it('row position does not separate rings (or orgs) from the rest in any file', () => {
    for (const [name, rows] of Object.entries({
      accounts: d.accounts,
      truth: d.truth,
      payments: d.payments,
      ips: d.ips,
      prompts: d.prompts,
      activity: d.activity,
    })) {
      for (const label of ['ring', 'legit_org']) {
        const a = auc(rows.map((r, i) => ({ score: i, positive: d.label.get(r.account_id!) === label })));
        expect(Math.abs(a - 0.5), `${name} ${label} position AUC ${a}`).toBeLessThan(0.1);
      }
    }
  });

  it('a classifier on the account id prefix does no better than chance', () => {
    // Learn the ring rate per 2-hex-char id prefix on half the accounts, score the other half.
    const train = d.truth.filter((_, i) => i % 2 === 0);
    const test = d.truth.filter((_, i) => i % 2 === 1);
    const prefix = (id: string) => id.slice(5, 7);
    const rate = new Map<string, [number, number]>();
    for (const t of train) {
      const r = rate.get(prefix(t.account_id!)) ?? [0, 0];
      r[0] += t.label === 'ring' ? 1 : 0;
      r[1]++;
      rate.set(prefix(t.account_id!), r);
    }
    const score = (id: string) => {
      const r = rate.get(prefix(id));
      return r ? r[0] / r[1] : 0;
    };
    const a = auc(test.map((t) => ({ score: score(t.account_id!), positive: t.label === 'ring' })));
    expect(Math.abs(a - 0.5), `id-prefix AUC ${a}`).toBeLessThan(0.12);
    // Identifier values do not carry the label either: no group or label name appears in any value.
    for (const r of [...d.payments, ...d.ips, ...d.prompts]) expect(Object.values(r).join(',')).not.toMatch(/ring|hydra|legit|org:|bench/);
  });
});

describe('generate: every attack pattern and look-alike is present in mixed', () => {
  const N = 4000;
  let d: SmallDrop;
  let cardUsers: Map<string, Set<string>>;
  let ipUsers: Map<string, Set<string>>;
  let fpUsers: Map<string, Set<string>>;
  const byGroup = new Map<string, string[]>();
  const rows = (list: SmallDrop['ips'], ids: Iterable<string>) => {
    const s = new Set(ids);
    return list.filter((r) => s.has(r.account_id!));
  };
  const acctOf = new Map<string, Record<string, string>>();
  beforeAll(async () => {
    await generate({ scenario: 'mixed', accounts: N, seed: 5, out: path.join(tmp, 'mixed') });
    d = readSmallDrop(path.join(tmp, 'mixed'));
    cardUsers = usersOf(d.payments, 'payment_fingerprint');
    ipUsers = usersOf(d.ips, 'ip');
    fpUsers = usersOf(d.prompts, 'fingerprint');
    for (const t of d.truth) if (t.group) byGroup.set(t.group, [...(byGroup.get(t.group) ?? []), t.account_id!]);
    for (const a of d.accounts) acctOf.set(a.account_id!, a);
  });
  const groupsOf = (type: string) => [...byGroup.entries()].filter(([g]) => ringTypeOf(g) === type);

  it('has every ring type and every legitimate category, rings a small fraction', () => {
    // network-camouflage is planted by the `worlds` scenario and its own, not by `mixed` (its figures stay comparable).
    for (const t of RING_TYPES.filter((x) => x !== 'network-camouflage')) expect(groupsOf(t).length, t).toBeGreaterThan(0);
    expect(groupsOf('shared-reseller').length).toBeGreaterThanOrEqual(2);
    const labels = new Set(d.truth.map((t) => t.label));
    for (const l of ['legit_individual', 'legit_tool_user', 'legit_org', 'legit_family', 'legit_cgnat', 'legit_campus', 'legit_benchmark'])
      expect(labels).toContain(l);
    const rings = d.truth.filter((t) => t.label === 'ring').length;
    expect(rings / N).toBeGreaterThan(0.01);
    expect(rings / N).toBeLessThan(0.08);
    expect(d.truth.filter((t) => t.label === 'legit_individual').length / N).toBeGreaterThan(0.5);
  });

  it('hydra: creation waves, shared prepaid cards, rotating IPs, 24/7 synchronised ~26 exchanges/day', () => {
    for (const [, ids] of groupsOf('hydra')) {
      const created = ids.map((id) => Date.parse(acctOf.get(id)!.created_at!));
      const bins = new Set(created.map((t) => Math.floor(t / (24 * H))));
      expect(bins.size).toBeGreaterThanOrEqual(3); // several waves
      // created in bursts, not steadily: nearly every account has ≥ 2 others created within 8 h of it
      const inBurst = created.filter((t) => created.filter((u) => Math.abs(u - t) <= 8 * H).length >= 3).length;
      expect(inBurst / ids.length).toBeGreaterThan(0.9);
      const cards = rows(d.payments, ids);
      const maxCard = Math.max(...cards.map((r) => cardUsers.get(r.payment_fingerprint!)!.size));
      expect(maxCard).toBeGreaterThanOrEqual(Math.min(20, ids.length / 2));
      const ipsPer = new Map<string, number>();
      for (const r of rows(d.ips, ids)) ipsPer.set(r.account_id!, (ipsPer.get(r.account_id!) ?? 0) + 1);
      for (const id of ids) expect(ipsPer.get(id)).toBeGreaterThanOrEqual(3);
      const act = rows(d.activity, ids);
      const hoursOfDay = new Set(act.map((r) => new Date(r.hour!).getUTCHours()));
      expect(hoursOfDay.size).toBeGreaterThanOrEqual(20); // around the clock
      const perDay = new Map<string, number>();
      for (const r of act)
        perDay.set(`${r.account_id}/${r.hour!.slice(0, 10)}`, (perDay.get(`${r.account_id}/${r.hour!.slice(0, 10)}`) ?? 0) + Number(r.requests));
      const mean = [...perDay.values()].reduce((a, b) => a + b, 0) / perDay.size;
      expect(mean).toBeGreaterThan(12);
      expect(mean).toBeLessThan(45);
      const caps = new Set(
        rows(d.prompts, ids)
          .filter((r) => r.kind === 'template')
          .map((r) => r.capability),
      );
      for (const c of caps) expect(['coding', 'agentic', 'cyber', 'reasoning']).toContain(c);
      // noise: rings also send some ordinary prompts
      expect(rows(d.prompts, ids).some((r) => r.kind === 'minhash')).toBe(true);
    }
  });

  it('datacenter: very busy hosting IPs flagged as proxies, little card sharing', () => {
    for (const [, ids] of groupsOf('datacenter')) {
      const ips = rows(d.ips, ids);
      expect(ips.every((r) => r.is_proxy === 'true')).toBe(true);
      expect(Math.max(...ips.map((r) => ipUsers.get(r.ip!)!.size))).toBeGreaterThanOrEqual(Math.min(10, ids.length));
      const shared = rows(d.payments, ids).filter((r) => cardUsers.get(r.payment_fingerprint!)!.size > 1);
      expect(new Set(shared.map((r) => r.account_id)).size / ids.length).toBeLessThan(0.35);
    }
  });

  it('careful: unique cards and IPs, linked only by shared templates and synchronised timing', () => {
    for (const [, ids] of groupsOf('careful')) {
      for (const r of rows(d.payments, ids)) expect(cardUsers.get(r.payment_fingerprint!)!.size).toBe(1);
      for (const r of rows(d.ips, ids)) expect(ipUsers.get(r.ip!)!.size).toBe(1);
      const shared = rows(d.prompts, ids).filter((r) => r.kind === 'template' && [...fpUsers.get(r.fingerprint!)!].filter((a) => ids.includes(a)).length > 1);
      expect(new Set(shared.map((r) => r.account_id)).size).toBe(ids.length);
      // synchronised: careful pairs share far more active hours than pairs of individuals
      const hoursOf = (list: string[]) => list.map((id) => new Set(d.activity.filter((r) => r.account_id === id).map((r) => r.hour)));
      const jac = (sets: Set<string | undefined>[]) => {
        let sum = 0;
        let n = 0;
        for (let i = 0; i < sets.length; i++)
          for (let j = i + 1; j < sets.length; j++) {
            const inter = [...sets[i]!].filter((h) => sets[j]!.has(h)).length;
            sum += inter / (sets[i]!.size + sets[j]!.size - inter);
            n++;
          }
        return sum / n;
      };
      const inds = d.truth
        .filter((t) => t.label === 'legit_individual')
        .slice(0, ids.length)
        .map((t) => t.account_id!);
      expect(jac(hoursOf(ids))).toBeGreaterThan(5 * jac(hoursOf(inds)) + 0.01);
    }
  });

  it('camouflage: hides on CGNAT/campus hub IPs and popular tool prompts, plus its own templates', () => {
    for (const [, ids] of groupsOf('camouflage')) {
      const hubIps = rows(d.ips, ids).filter((r) => ipUsers.get(r.ip!)!.size >= 50);
      expect(new Set(hubIps.map((r) => r.account_id)).size).toBe(ids.length);
      const popular = rows(d.prompts, ids).filter((r) => r.kind === 'system' && fpUsers.get(r.fingerprint!)!.size >= 30);
      expect(new Set(popular.map((r) => r.account_id)).size).toBe(ids.length);
      expect(rows(d.prompts, ids).some((r) => r.kind === 'template')).toBe(true);
    }
  });

  it('shared-reseller: two operators share one IP pool but not templates', () => {
    const [ga, gb] = groupsOf('shared-reseller');
    const a = ga![1];
    const b = gb![1];
    const ipsA = new Set(rows(d.ips, a!).map((r) => r.ip));
    const ipsB = new Set(rows(d.ips, b!).map((r) => r.ip));
    expect([...ipsA].filter((ip) => ipsB.has(ip)).length).toBeGreaterThan(0);
    const tplA = new Set(
      rows(d.prompts, a!)
        .filter((r) => r.kind === 'template')
        .map((r) => r.fingerprint),
    );
    const tplB = new Set(
      rows(d.prompts, b!)
        .filter((r) => r.kind === 'template')
        .map((r) => r.fingerprint),
    );
    expect([...tplA].filter((f) => tplB.has(f))).toEqual([]);
  });

  it('release-shift: new capability templates appear within 24 h of the release date', () => {
    for (const [, ids] of groupsOf('release-shift')) {
      const tpl = rows(d.prompts, ids).filter((r) => r.kind === 'template');
      const firstSeen = new Map<string, number>();
      for (const r of tpl) firstSeen.set(r.fingerprint!, Math.min(firstSeen.get(r.fingerprint!) ?? Infinity, Date.parse(r.first_seen!)));
      const fresh = [...firstSeen].filter(([, t]) => t >= RELEASE).map(([f]) => f);
      expect(fresh.length).toBeGreaterThan(0);
      for (const f of fresh) expect(firstSeen.get(f)!).toBeLessThan(RELEASE + 30 * H);
      const shifted = new Set(tpl.filter((r) => fresh.includes(r.fingerprint!)).map((r) => r.account_id));
      expect(shifted.size / ids.length).toBeGreaterThan(0.8);
      const freshCaps = new Set(tpl.filter((r) => fresh.includes(r.fingerprint!)).map((r) => r.capability));
      const oldCaps = new Set(tpl.filter((r) => !fresh.includes(r.fingerprint!)).map((r) => r.capability));
      expect([...freshCaps].some((c) => !oldCaps.has(c))).toBe(true);
    }
  });

  it('orgs share corporate cards, office NATs and internal templates; verified, corporate domain, created over months', () => {
    const orgs = [...byGroup.entries()].filter(([g]) => g.startsWith('org:'));
    expect(orgs.length).toBeGreaterThan(3);
    const sizes = orgs.map(([, ids]) => ids.length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(200);
    const [, big] = orgs.sort((x, y) => y[1].length - x[1].length)[0]!;
    const card = rows(d.payments, big).map((r) => cardUsers.get(r.payment_fingerprint!)!.size);
    expect(Math.max(...card)).toBeGreaterThanOrEqual(big.length / 3);
    const office = rows(d.ips, big).map((r) => ipUsers.get(r.ip!)!.size);
    expect(Math.max(...office)).toBeGreaterThanOrEqual(big.length / 4);
    const domains = big.map((id) => acctOf.get(id)!.email_domain);
    const top = [
      ...usersOf(
        domains.map((x, i) => ({ account_id: big[i]!, x: x! })),
        'x',
      ).values(),
    ].sort((a, b) => b.size - a.size)[0]!;
    expect(top.size / big.length).toBeGreaterThan(0.8);
    expect(big.filter((id) => acctOf.get(id)!.verified === 'true').length / big.length).toBeGreaterThan(0.8);
    const created = big.map((id) => Date.parse(acctOf.get(id)!.created_at!));
    expect(Math.max(...created) - Math.min(...created)).toBeGreaterThan(20 * 24 * H);
    expect(rows(d.prompts, big).some((r) => r.kind !== 'minhash' && [...fpUsers.get(r.fingerprint!)!].filter((a) => big.includes(a)).length > 1)).toBe(true);
  });

  it('families of 2–5 share a card and a home IP', () => {
    const fams = [...byGroup.entries()].filter(([g]) => g.startsWith('family:'));
    expect(fams.length).toBeGreaterThan(10);
    for (const [, ids] of fams) {
      expect(ids.length).toBeGreaterThanOrEqual(2);
      expect(ids.length).toBeLessThanOrEqual(5);
      expect(rows(d.payments, ids).some((r) => cardUsers.get(r.payment_fingerprint!)!.size === ids.length)).toBe(true);
      expect(rows(d.ips, ids).some((r) => ipUsers.get(r.ip!)!.size >= ids.length)).toBe(true);
    }
  });

  it('CGNAT and campus hubs put a large share of accounts on a few IPs; popular tool prompts are shared by many', () => {
    for (const label of ['legit_cgnat', 'legit_campus']) {
      const hub = [...ipUsers.entries()]
        .filter(([, s]) => [...s].filter((a) => d.label.get(a) === label).length > 0.8 * s.size)
        .sort((a, b) => b[1].size - a[1].size)[0]!;
      expect(hub[1].size, label).toBeGreaterThanOrEqual(0.025 * N); // thousands at 70k+ accounts
    }
    const campusDomains = d.accounts.filter((a) => d.label.get(a.account_id!) === 'legit_campus').map((a) => a.email_domain!);
    expect(campusDomains.some((x) => /\.edu|\.ac\.|uni-/.test(x))).toBe(true);
    const systemFps = new Set(d.prompts.filter((r) => r.kind === 'system').map((r) => r.fingerprint));
    const popular = [...fpUsers.entries()].filter(([f]) => systemFps.has(f)).sort((a, b) => b[1].size - a[1].size)[0]!;
    expect(popular[1].size).toBeGreaterThanOrEqual(0.02 * N);
    expect([...popular[1]].filter((a) => d.label.get(a) !== 'ring').length / popular[1].size).toBeGreaterThan(0.9);
  });

  it('benchmark companies: narrow templated high-volume datacenter traffic, one verified org, one card, steady creation', () => {
    const benches = [...byGroup.entries()].filter(([g]) => g.startsWith('bench:'));
    expect(benches.length).toBeGreaterThan(0);
    for (const [, ids] of benches) {
      expect(new Set(rows(d.payments, ids).map((r) => r.payment_fingerprint)).size).toBe(1);
      expect(ids.every((id) => acctOf.get(id)!.verified === 'true')).toBe(true);
      expect(new Set(ids.map((id) => acctOf.get(id)!.email_domain)).size).toBe(1);
      const caps = new Set(
        rows(d.prompts, ids)
          .filter((r) => r.kind === 'template')
          .map((r) => r.capability),
      );
      expect(caps.size).toBe(1);
      const reqs = rows(d.activity, ids).reduce((a, r) => a + Number(r.requests), 0) / ids.length;
      const indReq =
        rows(
          d.activity,
          d.truth.filter((t) => t.label === 'legit_individual').map((t) => t.account_id!),
        ).reduce((a, r) => a + Number(r.requests), 0) / d.truth.filter((t) => t.label === 'legit_individual').length;
      expect(reqs).toBeGreaterThan(10 * indReq);
      const created = ids.map((id) => Date.parse(acctOf.get(id)!.created_at!)).sort((a, b) => a - b);
      expect(created[created.length - 1]! - created[0]!).toBeGreaterThan(90 * 24 * H);
    }
  });

  it('adds noise: unverified free-mail individuals, night coders, rings with verified accounts', () => {
    const ind = d.accounts.filter((a) => d.label.get(a.account_id!) === 'legit_individual');
    expect(
      ind.filter((a) => a.verified === 'false' && /gmail|outlook|yahoo|proton|qq|163|hotmail|icloud|gmx|mail\.ru/.test(a.email_domain!)).length,
    ).toBeGreaterThan(50);
    const ringAcc = d.accounts.filter((a) => d.label.get(a.account_id!) === 'ring');
    expect(ringAcc.some((a) => a.verified === 'true')).toBe(true);
    expect(ringAcc.some((a) => a.verified === 'false')).toBe(true);
  });

  it('per-account volumes match the medium scenario targets (≈19 identifier rows, ≈20 activity rows)', () => {
    const idRows = (d.payments.length + d.ips.length + d.prompts.length) / N;
    expect(idRows).toBeGreaterThan(15);
    expect(idRows).toBeLessThan(23);
    expect(d.activity.length / N).toBeGreaterThan(15);
    expect(d.activity.length / N).toBeLessThan(25);
  });
});

describe('generate --raw-prompts', () => {
  it('writes prompts.ndjson outside the drop instead of prompt_fingerprints.csv, with ~1 KB texts and ring templates', async () => {
    const out = path.join(tmp, 'raw');
    // Skeleton templates only (scaffold templates are tested in test/fingerprint/scaffold.test.ts).
    const sum = await generate({ scenario: 'hydra', accounts: 300, seed: 9, out, rawPrompts: true, scaffoldShare: 0 });
    expect(fs.existsSync(path.join(out, 'drop', 'prompt_fingerprints.csv'))).toBe(false);
    expect(sum.promptsFile).toBe(path.join(out, 'prompts.ndjson'));
    const d = readSmallDrop(out);
    const lines = fs
      .readFileSync(path.join(out, 'prompts.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { account_id: string; ts: string; prompt: string; system?: string });
    expect(lines.length).toBeGreaterThan(300);
    for (const l of lines) {
      expect(d.label.has(l.account_id)).toBe(true);
      expect(l.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const mean = lines.reduce((a, l) => a + l.prompt.length + (l.system?.length ?? 0), 0) / lines.length;
    expect(mean).toBeGreaterThan(600);
    expect(mean).toBeLessThan(2500);
    expect(lines.some((l) => l.system && l.system.length > 500)).toBe(true);
    // Ring prompts reuse template skeletons: most have a near-duplicate (word 4-shingle Jaccard ≥ 0.5)
    // from another account; legit free text rarely does.
    const shingles = (t: string) => {
      const w = t.toLowerCase().split(/\s+/);
      const out = new Set<string>();
      for (let i = 0; i + 4 <= w.length; i++) out.add(w.slice(i, i + 4).join(' '));
      return out;
    };
    const share = (label: string) => {
      const ps = lines.filter((l) => d.label.get(l.account_id) === label && !l.system).slice(0, 150);
      const sh = ps.map((p) => shingles(p.prompt));
      const near = ps.filter((p, i) =>
        ps.some((q, j) => {
          if (q.account_id === p.account_id) return false;
          const inter = [...sh[i]!].filter((x) => sh[j]!.has(x)).length;
          return inter / (sh[i]!.size + sh[j]!.size - inter) >= 0.5;
        }),
      );
      return near.length / ps.length;
    };
    expect(share('ring')).toBeGreaterThan(0.5);
    expect(share('legit_individual')).toBeLessThan(0.2);
  });
});

describe('generate: world knobs', () => {
  it('plants a ring camouflaged in mid-sized shared networks: ~40 accounts per card, steady creation, exits shared with legitimate users', async () => {
    const out = path.join(tmp, 'netcamo');
    await generate({ scenario: 'network-camouflage', accounts: 6000, seed: 5, out });
    const d = readSmallDrop(out);
    const ring = new Set(d.truth.filter((t) => t.label === 'ring').map((t) => t.account_id!));
    expect(ring.size).toBeGreaterThanOrEqual(200);
    const cards = usersOf(
      d.payments.filter((r) => ring.has(r.account_id!)),
      'payment_fingerprint',
    );
    const shared = [...cards.values()].filter((u) => u.size >= 2).map((u) => u.size);
    expect(shared.reduce((a, b) => a + b, 0) / shared.length).toBeGreaterThan(20);
    // Steady creation: no 8-hour burst holds more than a few percent of the ring.
    const created = d.accounts.filter((a) => ring.has(a.account_id!)).map((a) => Date.parse(a.created_at!));
    const burst = Math.max(...created.map((t) => created.filter((u) => u >= t && u < t + 8 * H).length));
    expect(burst / ring.size).toBeLessThan(0.1);
    // Every ring exit is also used by legitimate CGNAT or campus users, tens to a few hundred per exit.
    const ipUsers = usersOf(d.ips, 'ip');
    const ringIps = [...new Set(d.ips.filter((r) => ring.has(r.account_id!)).map((r) => r.ip!))];
    const legitOn = ringIps.map((ip) => [...ipUsers.get(ip)!].filter((a) => !ring.has(a)).length);
    expect(Math.min(...legitOn)).toBeGreaterThan(5);
    expect(Math.max(...legitOn)).toBeLessThan(400);
  });

  it('makes a share of proxy exits legitimate homes (bystanders), and validates every knob against its range', async () => {
    const out = path.join(tmp, 'homes');
    await generate({ scenario: 'hydra', accounts: 3000, seed: 6, out, world: { proxyHomeShare: 0.5 } });
    const d = readSmallDrop(out);
    const ring = new Set(d.truth.filter((t) => t.label === 'ring').map((t) => t.account_id!));
    const ringIps = new Set(d.ips.filter((r) => ring.has(r.account_id!)).map((r) => r.ip!));
    const bystanders = new Set(d.ips.filter((r) => ringIps.has(r.ip!) && !ring.has(r.account_id!)).map((r) => r.account_id!));
    expect(bystanders.size).toBeGreaterThan(10);
    for (const b of bystanders) expect(d.label.get(b)).toBe('legit_individual');
    expect(() => validateWorld({ ringCardShare: [2, 10] })).toThrow(InvalidParameterError);
    expect(() => validateWorld({ proxyHomeShare: 0.9 })).toThrow(/world.proxyHomeShare/);
    expect(() => validateWorld({ ringSizes: { hydra: [10] } })).toThrow(/world.ringSizes.hydra/);
    expect(() => validateWorld({ ringSizes: { hydra: [6000] } })).toThrow(InvalidParameterError);
    expect(() => validateWorld({ ringSizes: { botnet: [100] } as never })).toThrow(/unknown ring type/);
    // Drawn worlds: every ring type, each ring 20–5,000 accounts, the sweep reaching both ends.
    const sizes: number[] = [];
    for (let seed = 1; seed < 40; seed++) {
      const w = drawWorld(seed);
      expect(w.hubExitUsers![0]).toBeGreaterThanOrEqual(WORLD_RANGES.hubExitUsers[0]);
      expect(Object.keys(w.ringSizes!).sort()).toEqual([...RING_TYPES].sort());
      const all = Object.values(w.ringSizes!).flat();
      for (const x of all) expect(x).toBeGreaterThanOrEqual(WORLD_RANGES.ringSize[0]);
      for (const x of all) expect(x).toBeLessThanOrEqual(WORLD_RANGES.ringSize[1]);
      const total = all.reduce((a, b) => a + b, 0);
      expect(total).toBeLessThanOrEqual(RING_BUDGET);
      expect(total / worldAccounts(w, 24_000)).toBeLessThanOrEqual(MAX_RING_SHARE);
      sizes.push(...all);
    }
    expect(Math.min(...sizes)).toBeLessThan(40);
    expect(Math.max(...sizes)).toBeGreaterThan(3000);
  });

  it('plants exactly the rings of world ringSizes (per ring, per type), and waves for a steady-by-default ring type', async () => {
    const out = path.join(tmp, 'ring-sizes');
    const ringSizes = { hydra: [1200, 20], 'shared-reseller': [300, 40], 'network-camouflage': [400] };
    await generate({ scenario: 'worlds', accounts: 14_000, seed: 8, out, world: { ringSizes, creation: 'waves' } });
    const d = readSmallDrop(out);
    const groups = new Map<string, number>();
    for (const t of d.truth) if (t.label === 'ring') groups.set(t.group!, (groups.get(t.group!) ?? 0) + 1);
    const of = (type: string) => [...groups].filter(([g]) => ringTypeOf(g) === type).map(([, n]) => n);
    expect(of('hydra')).toEqual([1200, 20]);
    expect(of('shared-reseller')).toEqual([300, 40]);
    expect(of('network-camouflage')).toEqual([400]);
    // Types not listed keep their share of the world (datacenter: 0.4% of 14,000).
    expect(of('datacenter').reduce((a, b) => a + b, 0)).toBe(56);
    // The two shared-reseller operators share one proxy pool.
    const ringOf = new Map(d.truth.map((t) => [t.account_id!, t.group!]));
    const ipGroups = new Map<string, Set<string>>();
    for (const r of d.ips) {
      const g = ringOf.get(r.account_id!) ?? '';
      if (ringTypeOf(g) !== 'shared-reseller') continue;
      if (!ipGroups.has(r.ip!)) ipGroups.set(r.ip!, new Set());
      ipGroups.get(r.ip!)!.add(g);
    }
    expect([...ipGroups.values()].some((s) => s.size === 2)).toBe(true);
    // network-camouflage is steady by default; `waves` puts most of it into four 12-hour windows.
    const nc = new Set([...ringOf].filter(([, g]) => ringTypeOf(g) === 'network-camouflage').map(([a]) => a));
    const created = d.accounts.filter((a) => nc.has(a.account_id!)).map((a) => Date.parse(a.created_at!));
    const burst = Math.max(...created.map((t) => created.filter((u) => u >= t && u < t + 24 * H).length));
    expect(burst / nc.size).toBeGreaterThan(0.2);
  });
});
