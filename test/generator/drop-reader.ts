// Test helper: read a small generated drop into plain row objects (generated files never quote fields).
import fs from 'node:fs';
import path from 'node:path';

export type Rec = Record<string, string>;

export function readCsv(file: string): Rec[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const header = lines[0]!.split(',');
  return lines.slice(1).map((l) => {
    const v = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, v[i] ?? '']));
  });
}

export interface SmallDrop {
  truth: Rec[];
  label: Map<string, string>;
  group: Map<string, string>;
  accounts: Rec[];
  payments: Rec[];
  ips: Rec[];
  prompts: Rec[];
  activity: Rec[];
}

export function readSmallDrop(out: string): SmallDrop {
  const truth = readCsv(path.join(out, 'truth.csv'));
  const d = (f: string): Rec[] => (fs.existsSync(path.join(out, 'drop', f)) ? readCsv(path.join(out, 'drop', f)) : []);
  return {
    truth,
    label: new Map(truth.map((t) => [t.account_id!, t.label!])),
    group: new Map(truth.map((t) => [t.account_id!, t.group!])),
    accounts: d('accounts.csv'),
    payments: d('payment_methods.csv'),
    ips: d('ip_addresses.csv'),
    prompts: d('prompt_fingerprints.csv'),
    activity: d('activity.csv'),
  };
}

/** Accounts per identifier value. */
export function usersOf(rows: Rec[], key: string): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of rows) {
    let s = m.get(r[key]!);
    if (!s) m.set(r[key]!, (s = new Set()));
    s.add(r.account_id!);
  }
  return m;
}

/** Mann–Whitney AUC of `score` separating positives from negatives (0.5 = chance). */
export function auc(scores: ReadonlyArray<{ score: number; positive: boolean }>): number {
  const sorted = [...scores].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  let pos = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++)
      if (sorted[k]!.positive) {
        rankSum += avgRank;
        pos++;
      }
    i = j;
  }
  const neg = sorted.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
