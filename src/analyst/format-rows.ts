import { csvCell } from '../export/index.js';
import type { QueryRows } from './read-only-runner.js';

export type RowFormat = 'table' | 'json' | 'csv';
export const ROW_FORMATS: readonly RowFormat[] = ['table', 'json', 'csv'];

/** Control characters (ANSI escapes in a hostile identifier) are shown escaped, never sent to the terminal. */
function safeText(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface TableOptions {
  /** Widest column before truncation with an ellipsis. @defaultValue 60 */
  readonly maxWidth?: number;
}

/** One line saying the row cap cut the result (for stderr), or undefined when all rows are there. */
export function truncationNotice(q: QueryRows): string | undefined {
  if (!q.truncated) return undefined;
  return `notice: stopped at the row cap of ${q.limit} rows; more rows exist and were not read (narrow the query or raise --limit)`;
}

/**
 * Rows as text. JSON is one object, `{columns, rows, truncated, limit}`, so a consumer sees the cap in
 * band; the table's last line says it too. csv has no place for it: callers print truncationNotice.
 */
export function formatRows(q: QueryRows, format: RowFormat, options: TableOptions = {}): string {
  if (format === 'json') return JSON.stringify({ columns: q.columns, rows: q.rows, truncated: q.truncated, limit: q.limit }, null, 2) + '\n';
  if (format === 'csv')
    return (
      [
        q.columns.join(','),
        ...q.rows.map((r) => q.columns.map((c) => csvCell(typeof r[c] === 'object' && r[c] !== null ? JSON.stringify(r[c]) : r[c])).join(',')),
      ].join('\r\n') + '\r\n'
    );
  const max = options.maxWidth ?? 60;
  const cells = q.rows.map((r) =>
    q.columns.map((c) => {
      const s = safeText(r[c]);
      return s.length > max ? `${s.slice(0, max - 1)}…` : s;
    }),
  );
  const widths = q.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  const out = [line([...q.columns]), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)];
  out.push(`(${q.rows.length} row${q.rows.length === 1 ? '' : 's'}${q.truncated ? `, stopped at the row cap of ${q.limit}: more rows exist` : ''})`);
  return out.join('\n') + '\n';
}
