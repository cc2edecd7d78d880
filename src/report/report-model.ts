/** The data a report page embeds (as JSON, never as HTML). Shared by the Node side and the browser client. */

export type NodeKind = 'account' | 'payment' | 'ip' | 'subnet' | 'prompt';

export interface ReportNode {
  /** `<kind>:<key>`. */
  readonly id: string;
  readonly kind: NodeKind;
  readonly key: string;
  /** Shown in the evidence panel. */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
  /**
   * Accounts only: the member's own recommendation (member-verdict.ts). It can be below the cluster's:
   * a member held by one kind of evidence is `review` in an `enforce` cluster. Absent for runs written
   * before member verdicts and for identifier nodes.
   */
  readonly recommendation?: 'enforce' | 'review' | 'monitor';
  /** Accounts only: the reasons for the member's own recommendation. */
  readonly reasons?: readonly string[];
}

export interface ReportEdge {
  readonly source: string;
  readonly target: string;
  /** `uses` (account to identifier or to the subnet of its IP) or `linked` (the run's LINKED edge, with its weight). */
  readonly kind: 'uses' | 'linked';
  readonly weight?: number;
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

export const KIND_COLORS: Readonly<Record<NodeKind, string>> = {
  account: '#d62728',
  payment: '#1f77b4',
  ip: '#2ca02c',
  subnet: '#98df8a',
  prompt: '#9467bd',
};
