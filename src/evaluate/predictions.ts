import type { Prediction, Recommendation } from './types.js';

/** The shape of a detected cluster that predictions need (src/graph's DetectedCluster has it). */
export interface PredictedCluster {
  readonly id: string;
  readonly members: readonly string[];
  readonly recommendation: Recommendation;
  /** Per-member verdicts in `members` order; absent: every member carries the cluster's recommendation. */
  readonly memberVerdicts?: ReadonlyArray<{ readonly recommendation: Recommendation }>;
}

/** Account → {cluster, the member's own recommendation}, for `evaluate`. */
export function clusterPredictions(clusters: readonly PredictedCluster[]): Map<string, Prediction> {
  const out = new Map<string, Prediction>();
  for (const c of clusters)
    c.members.forEach((a, i) => out.set(a, { clusterId: c.id, recommendation: c.memberVerdicts?.[i]?.recommendation ?? c.recommendation }));
  return out;
}
