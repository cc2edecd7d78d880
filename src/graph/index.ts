/**
 * Ring detection, pure algorithms (no I/O): projection of the account–identifier graph, communities,
 * scoring and explanation, lineage across runs. Neo4j reading and write-back live in
 * src/db/linkage-source.ts and src/db/linkage-writer.ts; see docs/detection.md.
 */
export type * from './types.js';
export {
  EVIDENCE_KINDS,
  EVIDENCE_SLOTS,
  edgeEvidence,
  buildAdjacency,
  type Evidence,
  type EvidenceKind,
  type ProjectedGraph,
  type ProjectionStats,
  type Adjacency,
} from './projected-graph.js';
export {
  project,
  projectionOptions,
  identifierBits,
  timeFactor,
  accountUniverse,
  PROJECTION_DEFAULTS,
  type ProjectionOptions,
  type ProjectionOverrides,
} from './project.js';
export { synchronyLinks, SYNC_DEFAULTS, type SyncOptions, type SyncLink } from './synchrony.js';
export {
  connectedComponents,
  detectComponent,
  splitComponent,
  refineParts,
  detectCommunities,
  detectCommunitiesAsync,
  communityKey,
  COMMUNITY_DEFAULTS,
  type CommunityOptions,
  type Component,
} from './communities.js';
export { clusterFeatures, type ClusterFeatures } from './features.js';
export {
  scoreClusters,
  contributions,
  isAccountable,
  SCORING_DEFAULTS,
  RECOMMENDATIONS,
  type ScoringOptions,
  type ClusterReport,
  type Contribution,
  type LinkReport,
  type Recommendation,
} from './scoring.js';
export {
  assignLineage,
  newClusterId,
  LINEAGE_DEFAULTS,
  type LineageOptions,
  type LineageStatus,
  type Lineage,
  type PreviousCluster,
  type CurrentCluster,
} from './lineage.js';
export {
  runDetection,
  scoreAndTrace,
  clusterCounts,
  DETECTION_DEFAULTS,
  type DetectionOptions,
  type DetectionResult,
  type DetectedCluster,
  type DetectionStats,
  type CommunitiesBy,
} from './run-detection.js';
export { rngFor } from './rng.js';
export { addSoloPrompt, compactSoloPrompts, distinctAccounts } from './solo-prompts.js';
export {
  memberVerdicts,
  describeAttachment,
  MEMBER_VERDICT_DEFAULTS,
  INDEPENDENT_KINDS,
  type MemberVerdict,
  type MemberAttachment,
  type MemberVerdictOptions,
  type IndependentKind,
} from './member-verdict.js';
export { estimateCoherence, partyShare, pairPosterior, mixtureBits, type CoherenceModel, type CoherenceCounts } from './coherence.js';
export { accountDigests, deltaAccounts, reusedDigests } from './account-digest.js';
export type { DetectionState, StateCluster } from './detection-state.js';
export { frontierUpdate, mapAccounts, FRONTIER_DEFAULTS, type FrontierOptions, type FrontierUpdate } from './frontier.js';
export {
  runIncrementalDetection,
  nextState,
  fullRunState,
  fullRunFrontier,
  membersOf,
  type CarriedCluster,
  type FrontierStats,
  type ComputedState,
  type IncrementalResult,
  type IncrementalOptions,
} from './incremental-detection.js';
