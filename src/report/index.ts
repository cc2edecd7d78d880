/**
 * The static HTML ring report: a sortable cluster list and one interactive sigma.js graph per
 * cluster, with every asset bundled locally (works offline from file://).
 */
export { writeReport, DEFAULTS as REPORT_DEFAULTS, type ReportOptions, type WrittenReport } from './write-report.js';
export { loadClusterGraph, DEFAULTS as CLUSTER_GRAPH_DEFAULTS, type ClusterGraphOptions } from './report-repository.js';
export { renderIndexPage, renderClusterPage, escapeHtml, jsonForScript, REPORT_CSS } from './html.js';
export { bundleReportClient } from './build-assets.js';
export { KIND_COLORS, type ReportNode, type ReportEdge, type ClusterSummary, type IndexPageData, type ClusterPageData, type NodeKind } from './report-model.js';
