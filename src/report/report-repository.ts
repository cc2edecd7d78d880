import { toNum, type Neo4jClient } from '../db/index.js';
import { isoTime } from '../db/index.js';
import { byString } from '../util/compare.js';
import { EVIDENCE_KINDS, type EvidenceKind } from '../graph/projected-graph.js';
import { describeAttachment, type MemberAttachment } from '../graph/member-verdict.js';
import type { NodeKind, ReportEdge, ReportNode } from './report-model.js';

export interface ClusterGraphOptions {
  /** Most accounts drawn per cluster page (highest degree first); the page says how many were left out. @defaultValue 150 */
  readonly maxAccounts?: number;
  /** Most shared identifiers drawn (most members first). @defaultValue 300 */
  readonly maxIdentifiers?: number;
}

export const DEFAULTS: Required<ClusterGraphOptions> = { maxAccounts: 150, maxIdentifiers: 300 };

const LABEL_KIND: Record<string, NodeKind> = { PaymentMethod: 'payment', IP: 'ip', PromptFingerprint: 'prompt' };

type Details = Record<string, string | number | boolean | null>;

/** A member's own verdict as `explain` prints it (member-verdict.ts): kinds, attachment, reasons. Older runs stored none. */
function verdictDetails(kinds: unknown[], attachment: unknown, reasons: readonly string[]): Details {
  if (typeof attachment !== 'string') return {};
  return {
    kinds: kinds.map(String).join('+') || 'none',
    attachment: describeAttachment(JSON.parse(attachment) as MemberAttachment),
    ...(reasons.length ? { verdictReasons: reasons.join('; ') } : {}),
  };
}

function plain(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(String).join(', ');
  if (typeof (v as { toStandardDate?: unknown }).toStandardDate === 'function') return isoTime(v);
  if (typeof (v as { toNumber?: unknown }).toNumber === 'function') return toNum(v);
  return String(v);
}

/**
 * One cluster's accounts and the identifiers used by ≥ 2 of them (plus subnets), bounded for the
 * browser: the top accounts by number of shared identifiers, then identifiers still shared by ≥ 2
 * drawn accounts. Also the run's LINKED edges between drawn accounts.
 */
export async function loadClusterGraph(
  client: Neo4jClient,
  runId: string,
  clusterId: string,
  options: ClusterGraphOptions = {},
): Promise<{ nodes: ReportNode[]; edges: ReportEdge[]; totalAccounts: number; shownAccounts: number }> {
  const o = { ...DEFAULTS, ...options };
  const res = await client.query(
    `MATCH (:LinkageRun {id: $runId})<-[:IN_RUN]-(c:Cluster {id: $clusterId})<-[m:MEMBER_OF]-(a:Account)
     RETURN a.id AS id, a.createdAt AS createdAt, a.country AS country, a.emailDomain AS emailDomain, a.plan AS plan,
            a.verified AS verified, coalesce(m.respawn, false) AND c.runId = $runId AS respawn, m.recommendation AS recommendation,
            coalesce(m.reasons, []) AS memberReasons, coalesce(m.kinds, []) AS memberKinds, m.attachment AS attachment,
            COLLECT { MATCH (a)-[r:PAID_WITH|CONNECTED_FROM|SENT]->(i)
                      OPTIONAL MATCH (i)-[:IN_SUBNET]->(s:Subnet)
                      RETURN {label: labels(i)[0], key: coalesce(i.id, i.address), subnet: s.cidr,
                              asn: i.asn, isProxy: i.isProxy, capability: i.capability, fpKind: i.kind, markers: i.markers,
                              cardBin: i.cardBin, cardCountry: i.cardCountry} } AS uses`,
    { runId, clusterId },
    'READ',
  );
  interface Ident {
    kind: NodeKind;
    key: string;
    members: Set<string>;
    details: Details;
    subnet?: string;
  }
  const accounts = new Map<string, Details>();
  const memberRecommendation = new Map<string, string>();
  const memberReasons = new Map<string, string[]>();
  const memberVerdict = new Map<string, Details>();
  const idents = new Map<string, Ident>();
  for (const r of res.records) {
    const id = String(r.get('id'));
    accounts.set(id, {
      createdAt: plain(r.get('createdAt')),
      country: plain(r.get('country')),
      emailDomain: plain(r.get('emailDomain')),
      plan: plain(r.get('plan')),
      verified: plain(r.get('verified')),
      respawn: r.get('respawn') === true,
    });
    const rec = r.get('recommendation') as unknown;
    if (typeof rec === 'string') memberRecommendation.set(id, rec);
    const reasons = (r.get('memberReasons') as unknown[]).map(String);
    if (reasons.length) memberReasons.set(id, reasons);
    memberVerdict.set(id, verdictDetails(r.get('memberKinds') as unknown[], r.get('attachment') as unknown, reasons));
    for (const u of r.get('uses') as Array<Record<string, unknown>>) {
      const kind = LABEL_KIND[String(u.label)];
      if (!kind) continue;
      const key = String(u.key);
      const nid = `${kind}:${key}`;
      let ident = idents.get(nid);
      if (!ident) {
        const details: Details = {};
        for (const f of ['asn', 'isProxy', 'capability', 'fpKind', 'markers', 'cardBin', 'cardCountry'] as const) {
          if (u[f] !== null && u[f] !== undefined) details[f] = plain(u[f]);
        }
        ident = { kind, key, members: new Set(), details, ...(u.subnet ? { subnet: String(u.subnet) } : {}) };
        idents.set(nid, ident);
      }
      ident.members.add(id);
      if (ident.subnet) {
        const sid = `subnet:${ident.subnet}`;
        if (!idents.has(sid)) idents.set(sid, { kind: 'subnet', key: ident.subnet, members: new Set(), details: {} });
        idents.get(sid)!.members.add(id);
      }
    }
  }
  const shared = [...idents.entries()].filter(([, i]) => i.members.size >= 2);
  const degree = new Map<string, number>([...accounts.keys()].map((a) => [a, 0]));
  for (const [, i] of shared) for (const a of i.members) degree.set(a, degree.get(a)! + 1);
  const kept = new Set(
    [...degree.entries()]
      .sort((x, y) => y[1] - x[1] || byString(x[0], y[0]))
      .slice(0, o.maxAccounts)
      .map(([a]) => a),
  );
  const keptIdents = shared
    .map(([nid, i]) => ({ nid, i, members: [...i.members].filter((a) => kept.has(a)).sort(byString) }))
    .filter((x) => x.members.length >= 2)
    .sort((x, y) => y.members.length - x.members.length || byString(x.nid, y.nid))
    .slice(0, o.maxIdentifiers);

  const nodes: ReportNode[] = [...kept].sort(byString).map((a) => {
    const rec = memberRecommendation.get(a);
    return {
      id: `account:${a}`,
      kind: 'account' as const,
      key: a,
      ...(rec ? { recommendation: rec } : {}),
      ...(memberReasons.has(a) ? { reasons: memberReasons.get(a)! } : {}),
      details: { ...accounts.get(a)!, ...(rec ? { recommendation: rec } : {}), ...memberVerdict.get(a), sharedIdentifiers: degree.get(a)! },
    };
  });
  const edges: ReportEdge[] = [];
  for (const { nid, i, members } of keptIdents) {
    nodes.push({ id: nid, kind: i.kind, key: i.key, details: { ...i.details, membersUsingIt: i.members.size } });
    for (const a of members) edges.push({ source: `account:${a}`, target: nid, kind: 'uses' });
  }
  const linked = await client.query(
    `MATCH (:LinkageRun {id: $runId})<-[:IN_RUN]-(c:Cluster {id: $clusterId})<-[:MEMBER_OF]-(a:Account)-[l:LINKED]->(b:Account)-[:MEMBER_OF]->(c)
     WHERE l.runId = c.runId AND a.id IN $kept AND b.id IN $kept
     RETURN a.id AS a, b.id AS b, l.weight AS w, l.evidence AS ev ORDER BY a, b`,
    { runId, clusterId, kept: [...kept] },
    'READ',
  );
  for (const r of linked.records) {
    const strongest = strongestEvidence(r.get('ev'));
    edges.push({
      source: `account:${String(r.get('a'))}`,
      target: `account:${String(r.get('b'))}`,
      kind: 'linked',
      weight: toNum(r.get('w')),
      ...(strongest ? { strongest } : {}),
    });
  }
  return { nodes, edges, totalAccounts: accounts.size, shownAccounts: kept.size };
}

/** The evidence kind with the most bits in a LINKED edge's evidence (JSON of kind → bits), if any. */
function strongestEvidence(raw: unknown): EvidenceKind | undefined {
  let ev: Record<string, unknown>;
  try {
    ev = typeof raw === 'string' ? (JSON.parse(raw) as Record<string, unknown>) : {};
  } catch {
    return undefined;
  }
  let best: EvidenceKind | undefined;
  for (const k of EVIDENCE_KINDS) {
    const v = Number(ev[k] ?? 0);
    if (v > 0 && (best === undefined || v > Number(ev[best]))) best = k;
  }
  return best;
}
