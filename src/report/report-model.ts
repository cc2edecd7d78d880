/** The data a report page embeds (as JSON, never as HTML). Shared by the Node side and the browser client. */
import type { EvidenceKind } from '../graph/projected-graph.js';

export type NodeKind = 'account' | 'payment' | 'ip' | 'subnet' | 'prompt';

export interface ReportNode {
  /** `<kind>:<key>`. */
  readonly id: string;
  readonly kind: NodeKind;
  readonly key: string;
  /**
   * Accounts only: this member's own recommendation, when the run records one per member
   * (`MEMBER_OF.recommendation`, docs/detection.md "A verdict per member"); absent, the account
   * takes its cluster's.
   */
  readonly recommendation?: string;
  /** Shown in the evidence panel. */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
  /**
   * Accounts only: the reasons for the member's own recommendation (member-verdict.ts: a member held
   * by one kind of evidence is `review` in an `enforce` cluster, and says so).
   */
  readonly reasons?: readonly string[];
}

export interface ReportEdge {
  readonly source: string;
  readonly target: string;
  /** `uses` (account to identifier or to the subnet of its IP) or `linked` (the run's LINKED edge, with its weight). */
  readonly kind: 'uses' | 'linked';
  /** Linked only: the link's weight in bits. */
  readonly weight?: number;
  /** Linked only: the evidence kind that gave the link most of its bits. */
  readonly strongest?: EvidenceKind;
}

export interface ClusterSummary {
  readonly id: string;
  readonly page: string;
  readonly score: number;
  readonly recommendation: string;
  readonly size: number;
  readonly lineage: string;
  readonly previousId: string | null;
  readonly topReasons: readonly string[];
}

export interface IndexPageData {
  readonly page: 'index';
  readonly run: { readonly id: string; readonly startedAt: string | null; readonly finishedAt: string | null };
  readonly clusters: readonly ClusterSummary[];
}

export interface ClusterPageData {
  readonly page: 'cluster';
  readonly run: IndexPageData['run'];
  readonly cluster: ClusterSummary;
  readonly nodes: readonly ReportNode[];
  readonly edges: readonly ReportEdge[];
  readonly totalAccounts: number;
  readonly shownAccounts: number;
  /** Layout seed (ForceAtlas2 starts from seeded random positions, so a page always looks the same). */
  readonly seed: number;
}

/** Identifier nodes: muted, so the accounts and their links stand out. (Accounts: RECOMMENDATION_COLORS.) */
export const KIND_COLORS: Readonly<Record<Exclude<NodeKind, 'account'>, string>> = {
  payment: '#9ecae1',
  ip: '#a1d99b',
  subnet: '#d3ecc9',
  prompt: '#cbc3e3',
};

/** Account nodes, by their (own, else their cluster's) recommendation. */
export const RECOMMENDATION_COLORS: Readonly<Record<string, string>> = {
  enforce: '#c62828',
  review: '#ef6c00',
  monitor: '#546e7a',
};

/** Account–account links, by their strongest evidence kind. */
export const EVIDENCE_COLORS: Readonly<Record<EvidenceKind, string>> = {
  payment: '#1565c0',
  ip: '#2e7d32',
  subnet: '#7cb342',
  prompt: '#6a1b9a',
  sync: '#d81b60',
};

/** Drawn width of account–account links in CSS pixels, scaled by bits between the page's weakest and strongest link. */
export const LINK_WIDTH = { min: 1, max: 4 } as const;
/** Account → identifier edges. */
export const USES_EDGE = { color: '#e4e4e4', width: 1 } as const;
