export { Neo4jClient, TX_RETRY_MS, toNum, neo4j } from './neo4j-client.js';
export { loadRunAssignments, latestRunId, type RunAssignments } from './run-reader.js';
export { readLinkageInput, LINKAGE_SOURCE_DEFAULTS, type LinkageSourceOptions } from './linkage-source.js';
export { detectAndWrite, newRunId, DETECT_AND_WRITE_DEFAULTS, type DetectAndWriteOptions, type DetectAndWriteResult } from './linkage-pipeline.js';
export {
  writeRun,
  readRunClusters,
  listRuns,
  resolveRunId,
  listClusters,
  getCluster,
  pruneRuns,
  ensureLinkageSchema,
  type ClusterSummary,
  type ClusterDetail,
  type RunRecord,
} from './linkage-writer.js';
export { graphDigest, type GraphDigest } from './graph-digest.js';
export { runAdminImport, importArguments, defaultNeo4jLib, ADMIN_IMPORT_DEFAULTS, type AdminImportOptions } from './neo4j-admin-import.js';
