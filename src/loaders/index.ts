/**
 * Loaders: the data contract (docs/data-contract.md), streaming validation of drop files, and ingest
 * into Neo4j. Public surface:
 * - openDrop / dropFile: inspect a drop safely (no path traversal, no symlink escaping it);
 * - validatedRows / validateFile: stream validated rows and rejects (`file:line:field: reason`);
 * - readDropAsLinkageInput: a drop straight to the in-memory LinkageInput (baselines, experiments);
 * - ingestDrop / ingestFile / finalizeDrop: exactly-once ingest into Neo4j (one job per file + a ledger write);
 * - assertDropUnchanged / dropChanges: a drop id that loaded some content refuses other content (EditedDropError);
 * - bulkLoad: a first, large drop into a new, stopped database with Neo4j's offline importer.
 */
export { openDrop, dropFile, type DropRef, type DropFile, type OpenDropOptions } from './drop.js';
export { FILE_KINDS, KIND_ORDER, classifyFileName, type FileKind, type FileFormat, type FileKindSpec } from './file-kinds.js';
export { canonicalIp, type CanonicalIp } from './ip.js';
export { parseTimestamp, epochHour, HOUR_MS, MIN_TIME_MS, MAX_TIME_MS } from './timestamp.js';
export { readRecords, readRecordBatches, READ_DEFAULTS, type ReadOptions, type RawRecord, type FileSource } from './record-reader.js';
export {
  validateRow,
  MAX_VALUE_LENGTH,
  type Row,
  type RowOf,
  type AccountRow,
  type PaymentRow,
  type IpRow,
  type PromptRow,
  type ActivityRow,
} from './row-schemas.js';
export { validatedRows, validatedBatches, validateFile, formatReject, type Reject, type ValidatedItem, type ValidationCounts } from './validated-rows.js';
export { readDropAsLinkageInput, LINKAGE_INPUT_DEFAULTS, type LinkageInputOptions } from './linkage-input.js';
export { batchParams, type BatchParams, type AccountGroup, type RelParam } from './batch-params.js';
export {
  ingestDrop,
  ingestFile,
  finalizeDrop,
  rejectsPath,
  CYPHER_FALLBACK_WARNING,
  DEFAULTS as INGEST_DEFAULTS,
  type WritePath,
  type IngestOptions,
  type IngestProgress,
  type IngestSummary,
  type FileResult,
} from './ingest.js';
export { assertDropUnchanged, dropChanges } from './drop-changes.js';
export { bulkLoad, DEFAULTS as BULK_LOAD_DEFAULTS, type BulkLoadOptions, type BulkLoadSummary, type BulkLoadProgress } from './bulk-load.js';
export { BulkGraph } from './bulk-graph.js';
