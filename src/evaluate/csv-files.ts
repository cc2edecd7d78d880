/**
 * Reading truth.csv and predictions CSVs, and writing predictions (the thin I/O around evaluate).
 * Bad input fails with the file, line and field named.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { InvalidFileError, InvalidRowError } from '../util/errors.js';
import { isRecommendation, type Prediction, type Predictions, type TruthRow } from './types.js';

async function* records(file: string, required: readonly string[]): AsyncGenerator<{ line: number; row: Record<string, string> }> {
  if (!fs.existsSync(file)) throw new InvalidFileError(file, 'does not exist');
  const parser = fs.createReadStream(file).pipe(parse({ columns: true, info: true, skip_empty_lines: true, trim: true, bom: true }));
  let checked = false;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (!checked) {
        for (const c of required) if (!(c in record)) throw new InvalidFileError(file, `missing column ${c}`, 1, c);
        checked = true;
      }
      yield { line: info.lines, row: record };
    }
  } catch (err) {
    if (err instanceof InvalidFileError || err instanceof InvalidRowError) throw err;
    const e = err as Error & { lines?: number };
    throw new InvalidFileError(file, e.message, e.lines);
  }
}

/** truth.csv: `account_id,label,group` (group may be empty). */
export async function readTruthCsv(file: string): Promise<TruthRow[]> {
  const out: TruthRow[] = [];
  for await (const { line, row } of records(file, ['account_id', 'label', 'group'])) {
    if (!row.account_id) throw new InvalidRowError(file, line, 'account_id', 'is empty');
    if (!row.label) throw new InvalidRowError(file, line, 'label', 'is empty');
    out.push({ accountId: row.account_id, label: row.label, group: row.group ?? '' });
  }
  return out;
}

/** Predictions CSV: `account_id,cluster_id,recommendation` (recommendation: enforce|review|monitor|none). */
export async function readPredictionsCsv(file: string): Promise<Map<string, Prediction>> {
  const out = new Map<string, Prediction>();
  for await (const { line, row } of records(file, ['account_id', 'cluster_id', 'recommendation'])) {
    if (!row.account_id) throw new InvalidRowError(file, line, 'account_id', 'is empty');
    if (!row.cluster_id) throw new InvalidRowError(file, line, 'cluster_id', 'is empty');
    const r = row.recommendation!;
    if (!isRecommendation(r) && r !== 'none') throw new InvalidRowError(file, line, 'recommendation', `must be enforce, review, monitor or none, got "${r}"`);
    if (out.has(row.account_id)) throw new InvalidRowError(file, line, 'account_id', `${row.account_id} appears twice`);
    out.set(row.account_id, { clusterId: row.cluster_id, recommendation: r });
  }
  return out;
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Write predictions as `account_id,cluster_id,recommendation`, sorted by account id (stable diffs). */
export async function writePredictionsCsv(file: string, predictions: Predictions): Promise<void> {
  const out = fs.createWriteStream(file);
  const ids = [...predictions.keys()].sort();
  let chunk = 'account_id,cluster_id,recommendation\n';
  for (const id of ids) {
    const p = predictions.get(id)!;
    chunk += `${csvField(id)},${csvField(p.clusterId)},${p.recommendation}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
