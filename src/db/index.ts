/**
 * Public surface of the Neo4j layer: the driver, the one schema, the one run repository, the one
 * detection service, ingest's and linkage's repositories, the detection snapshot, and the offline importer.
 */
export { Neo4jClient, TX_RETRY_MS, toNum, neo4j } from './neo4j-client.js';
export { SCHEMA_STATEMENTS, ensureSchema } from './schema.js';
export { hasIngestProcedure, INGEST_PROCEDURE } from './ingest-repository.js';
export {
  LATEST,
  RUN_MATCH,
  isoTime,
  startRun,
  finishRun,
  listRuns,
  resolveRun,
  latestFinishedRunId,
  runFinished,
  recentRuns,
  countRuns,
  readRunClusters,
  pruneRuns,
  type RunInfo,
  type RunHeader,
  type RecentRun,
} from './run-repository.js';
export { loadRunAssignments, type RunAssignments } from './run-reader.js';
export { readLinkageInput, LINKAGE_SOURCE_DEFAULTS, type LinkageSourceOptions } from './linkage-source.js';
export {
  detectAndWrite,
  newRunId,
  runParams,
  DETECT_AND_WRITE_DEFAULTS,
  type DetectAndWriteOptions,
  type DetectAndWriteResult,
  type RunStats,
} from './detect-service.js';
export { writeRun, listClusters, getCluster, type ClusterSummary, type ClusterDetail, type MemberDetail, type RunRecord } from './linkage-writer.js';
export {
  checkSnapshot,
  readSnapshot,
  writeSnapshot,
  storeIdentity,
  ledgerDrops,
  paramsDigest,
  SNAPSHOT_FILE,
  type FullReason,
  type SnapshotCheck,
} from './snapshot-repository.js';
export { encodeState, decodeState, STATE_FORMAT_VERSION } from './snapshot-codec.js';
export { graphDigest, type GraphDigest } from './graph-digest.js';
export { runAdminImport, importArguments, defaultNeo4jLib, ADMIN_IMPORT_DEFAULTS, type AdminImportOptions } from './neo4j-admin-import.js';
