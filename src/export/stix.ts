import { createHash } from 'node:crypto';
import { SCHEMA_VERSION, type AccountRow, type ClusterRow, type Recommendation, type RunExport, type SharedIdentifier } from './schema.js';

/** Namespace of ringscope's own STIX ids (fixed forever: changing it changes every id). */
export const RINGSCOPE_STIX_NAMESPACE = 'c1687d4d-f5c1-4c2f-9c64-fb90ba55e5d4';
/** STIX 2.1 §2.9: namespace for deterministic Cyber-observable ids. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** RFC 4122 §4.3 name-based UUID (version 5, SHA-1). */
export function uuidv5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new TypeError(`bad namespace UUID ${namespace}`);
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface StixOptions {
  /**
   * Share an IP only when at least this fraction of all accounts that used it are in the ring:
   * an office NAT or a CGNAT address shared with thousands of bystanders must not become an
   * indicator that other providers block on. @defaultValue 0.5
   */
  readonly minIpConcentration?: number;
  /** Most IPs per ring in the bundle (strongest first). @defaultValue 200 */
  readonly maxIpsPerRing?: number;
  /**
   * Also carry each member's own verdict (account id, member recommendation, member reasons) on its
   * ring's intrusion set, as `x_ringscope_members`. Off by default: account ids are provider-internal,
   * and a bundle is usually shared with other providers; turn it on for the provider's own TIP.
   * Member reasons name kinds of evidence and bits, never an identifier. @defaultValue false
   */
  readonly members?: boolean;
}

export const DEFAULTS: Required<StixOptions> = { minIpConcentration: 0.5, maxIpsPerRing: 200, members: false };

export type StixObject = Record<string, unknown> & { type: string; id: string };
export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** STIX timestamps: RFC 3339 UTC with millisecond precision. */
function stixTime(iso: string | null): string {
  return new Date(iso ?? 0).toISOString();
}

/** STIX patterning string literal: backslash and quote escaped. */
function patternLiteral(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Reasons are left out on purpose: they may quote payment or prompt fingerprints (provider-internal). */
function ringDescription(c: ClusterRow): string {
  return `Account-linkage ring of ${c.size} accounts (score ${c.score.toFixed(3)}, recommendation ${c.recommendation}, lineage ${c.lineage}).`;
}

/**
 * A STIX 2.1 bundle of the export's rings. Per ring: an `intrusion-set`, an `infrastructure`
 * (the proxy/anonymisation network it uses) that `consists-of` its concentrated IPs as
 * `ipv4-addr`/`ipv6-addr` observables, and an `indicator` on those IPs that `indicates` the
 * intrusion set. Payment and prompt fingerprints are not shared: they are provider-internal and
 * personal data. An IP that a member with a lowered verdict of its own also used is left out: that
 * member may be a bystander whose home is one of the ring's proxy exits, and other providers block on
 * indicators. Every id is deterministic (UUIDv5 of run + cluster; SCO ids per STIX §2.9), and
 * `created`/`modified`/`valid_from` are the run's own time, so a run always yields the same bundle.
 */
export function buildStixBundle(e: RunExport, options: StixOptions = {}): StixBundle {
  const o = { ...DEFAULTS, ...options };
  const time = stixTime(e.run.finishedAt ?? e.run.startedAt);
  const rid = (type: string, name: string) => `${type}--${uuidv5(name, RINGSCOPE_STIX_NAMESPACE)}`;
  const identity = rid('identity', 'ringscope');
  const common = { spec_version: '2.1', created: time, modified: time, created_by_ref: identity };
  const objects: StixObject[] = [
    { type: 'identity', id: identity, spec_version: '2.1', created: time, modified: time, name: 'ringscope', identity_class: 'system' },
  ];
  const scos = new Map<string, StixObject>();
  const rel = (source: string, type: string, target: string): StixObject => ({
    type: 'relationship',
    id: rid('relationship', `${source}|${type}|${target}`),
    ...common,
    relationship_type: type,
    source_ref: source,
    target_ref: target,
  });

  const membersOf = new Map<string, AccountRow[]>();
  for (const a of e.accounts) {
    const list = membersOf.get(a.cluster_id);
    if (list) list.push(a);
    else membersOf.set(a.cluster_id, [a]);
  }
  for (const c of e.clusters) {
    const key = `${e.run.id}/${c.cluster_id}`;
    // Schema 1.1 member verdicts as STIX 2.1 custom properties (§11.1: `x_` names, any JSON value).
    const members = membersOf.get(c.cluster_id) ?? [];
    // How many members carry each own recommendation (counts only: account ids stay internal).
    const counts: Partial<Record<Recommendation, number>> = {};
    for (const m of members) counts[m.member_recommendation] = (counts[m.member_recommendation] ?? 0) + 1;
    const set = rid('intrusion-set', key);
    objects.push({
      type: 'intrusion-set',
      id: set,
      ...common,
      name: `ringscope ring ${c.cluster_id}`,
      description: ringDescription(c),
      confidence: Math.round(Math.min(1, Math.max(0, c.score)) * 100),
      labels: [`recommendation:${c.recommendation}`, `lineage:${c.lineage}`],
      x_ringscope_run_id: e.run.id,
      x_ringscope_cluster_id: c.cluster_id,
      x_ringscope_score: c.score,
      x_ringscope_size: c.size,
      x_ringscope_schema_version: SCHEMA_VERSION,
      x_ringscope_member_recommendations: counts,
      ...(o.members
        ? {
            x_ringscope_members: members.map((m) => ({
              account_id: m.account_id,
              recommendation: m.member_recommendation,
              reasons: [...m.member_reasons],
              respawn: m.respawn,
            })),
          }
        : {}),
    });
    const ips = (e.shared.get(c.cluster_id) ?? [])
      .filter((s: SharedIdentifier) => s.kind === 'ip' && s.lowered === 0 && s.accounts > 0 && s.members / s.accounts >= o.minIpConcentration)
      .slice(0, o.maxIpsPerRing);
    if (ips.length === 0) continue;

    const infra = rid('infrastructure', `${key}/infrastructure`);
    objects.push({
      type: 'infrastructure',
      id: infra,
      ...common,
      name: `ringscope ring ${c.cluster_id} network`,
      description: 'Addresses used by several accounts of the ring and by few accounts outside it.',
      infrastructure_types: ['anonymization'],
    });
    objects.push(rel(set, 'uses', infra));

    const comparisons: string[] = [];
    for (const ip of ips) {
      const type = ip.version === 6 || ip.key.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
      // STIX §2.9: SCO ids are UUIDv5 of the canonical JSON of their id-contributing properties.
      const id = `${type}--${uuidv5(JSON.stringify({ value: ip.key }), STIX_SCO_NAMESPACE)}`;
      if (!scos.has(id)) scos.set(id, { type, spec_version: '2.1', id, value: ip.key });
      objects.push(rel(infra, 'consists-of', id));
      comparisons.push(`[${type}:value = ${patternLiteral(ip.key)}]`);
    }
    const indicator = rid('indicator', `${key}/indicator`);
    objects.push({
      type: 'indicator',
      id: indicator,
      ...common,
      name: `IPs of ringscope ring ${c.cluster_id}`,
      indicator_types: [c.recommendation === 'enforce' ? 'malicious-activity' : 'anomalous-activity'],
      pattern: comparisons.join(' OR '),
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: time,
    });
    objects.push(rel(indicator, 'indicates', set));
  }
  const sorted = [...scos.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  return { type: 'bundle', id: rid('bundle', `${e.run.id}/${e.minRecommendation}`), objects: [...objects, ...sorted] };
}
