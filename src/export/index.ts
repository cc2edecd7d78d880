/**
 * Exports for enforcement tooling and indicator sharing (docs/export-format.md): account rows and
 * a cluster companion in csv/ndjson/json, a STIX 2.1 bundle, atomic writes, and signed webhook
 * delivery through the BullMQ `webhook` queue.
 */
export {
  SCHEMA_VERSION,
  RECOMMENDATION_RANK,
  EXPORT_FORMATS,
  ACCOUNT_COLUMNS,
  CLUSTER_COLUMNS,
  isRecommendation,
  type Recommendation,
  type ExportFormat,
  type RunInfo,
  type AccountRow,
  type ClusterRow,
  type SharedIdentifier,
  type SharedKind,
  type RunExport,
} from './schema.js';
export { loadRunExport, DEFAULTS as EXPORT_DEFAULTS, type LoadExportOptions } from './export-repository.js';
export { toCsv, csvCell, toNdjson, accountsDocument, clustersDocument, serialiseTabular } from './tabular-formats.js';
export {
  buildStixBundle,
  uuidv5,
  RINGSCOPE_STIX_NAMESPACE,
  STIX_SCO_NAMESPACE,
  DEFAULTS as STIX_DEFAULTS,
  type StixBundle,
  type StixObject,
  type StixOptions,
} from './stix.js';
export { writeFileAtomic, writeFilesAtomic, type AtomicFile, type AtomicIo, type AtomicWriteOptions } from './atomic-write.js';
export { writeExport, exportRun, companionPath, type WrittenExport, type WriteExportOptions, type ExportRunOptions } from './write-export.js';
export { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, type VerifyOptions } from './webhook-signature.js';
export {
  WEBHOOK_QUEUE,
  DEFAULTS as WEBHOOK_DEFAULTS,
  webhookJobId,
  postSigned,
  createWebhookQueue,
  createWebhookWorker,
  enqueueWebhook,
  deliverWebhook,
  type WebhookJobData,
  type WebhookOptions,
  type QueueConnection,
  type DeliveryResult,
} from './webhook-delivery.js';
