import { ACCOUNT_COLUMNS, CLUSTER_COLUMNS, SCHEMA_VERSION, type AccountRow, type ClusterRow, type RunExport } from './schema.js';

/**
 * RFC 4180 CSV cell. Lists are JSON arrays (identifiers are opaque and may contain any separator),
 * null is empty, values are never altered: consumers that open exports in a spreadsheet must guard
 * against formula injection themselves (docs/export-format.md).
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = Array.isArray(v) ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function toNdjson(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r) + '\n').join('');
}

/** The JSON document of the account rows (also the shape of the `json` format's main file). */
export function accountsDocument(e: RunExport): { schema_version: string; run: RunExport['run']; min_recommendation: string; accounts: readonly AccountRow[] } {
  return { schema_version: SCHEMA_VERSION, run: e.run, min_recommendation: e.minRecommendation, accounts: e.accounts };
}

/** The cluster list document: the `json` companion file and the webhook body. */
export function clustersDocument(e: RunExport): { schema_version: string; run: RunExport['run']; min_recommendation: string; clusters: readonly ClusterRow[] } {
  return { schema_version: SCHEMA_VERSION, run: e.run, min_recommendation: e.minRecommendation, clusters: e.clusters };
}

/** Serialise the account file and its cluster companion in one of the tabular formats. */
export function serialiseTabular(e: RunExport, format: 'csv' | 'ndjson' | 'json'): { accounts: string; clusters: string } {
  switch (format) {
    case 'csv':
      return { accounts: toCsv(ACCOUNT_COLUMNS, e.accounts), clusters: toCsv(CLUSTER_COLUMNS, e.clusters) };
    case 'ndjson':
      return { accounts: toNdjson(e.accounts), clusters: toNdjson(e.clusters) };
    case 'json':
      return {
        accounts: JSON.stringify(accountsDocument(e), null, 2) + '\n',
        clusters: JSON.stringify(clustersDocument(e), null, 2) + '\n',
      };
  }
}
