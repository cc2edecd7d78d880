import fs from 'node:fs';
import path from 'node:path';

/**
 * A generated drop rewritten with hostile identifiers: members of one planted ring get account ids
 * that would break out of a Cypher string or map literal if anything concatenated them into a
 * query, and the ring's most shared payment and prompt fingerprints get the same treatment. An
 * extra, unknown column with a canary value is added to two files (the data contract ignores
 * unknown columns: the canary must reach neither Neo4j nor an export).
 */

/** Valid under the data contract (1..512 chars, no control characters, no lone surrogates). */
export const HOSTILE_ACCOUNT_IDS: readonly string[] = [
  "'}) DETACH DELETE n //",
  '`Account`}) MATCH (n) DETACH DELETE n //',
  '$param {id: $id} $rows',
  '\\u0027}) \\u0060x\\u0060 \u202eüñï 𝕏 \ufeff',
  '<script>alert(1)</script>',
  '"; CALL db.clearQueryCaches() //, =HYPERLINK("x")',
];
export const HOSTILE_PAYMENT = "pm'}) DETACH DELETE n // `$rows` <script>";
export const HOSTILE_PROMPT = 'fp\\u0027 $id `x` <b>\u202e';
export const EXTRA_COLUMN = 'internal_note';
export const EXTRA_CANARY = 'CANARY-extra-column-5d1e77';

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The generator writes plain CSV (no quoting): split, map, re-quote. */
function rewrite(file: string, map: (header: string[], cells: string[]) => string[], addColumn = false): void {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const header = lines[0]!.split(',');
  const out = [[...header, ...(addColumn ? [EXTRA_COLUMN] : [])].join(',')];
  for (const l of lines.slice(1)) {
    const cells = map(header, l.split(','));
    out.push([...cells.map(csvCell), ...(addColumn ? [EXTRA_CANARY] : [])].join(','));
  }
  fs.writeFileSync(file, out.join('\n') + '\n');
}

export interface HostileDrop {
  readonly dropDir: string;
  /** Original id → hostile id. */
  readonly accounts: ReadonlyMap<string, string>;
  readonly payment: { readonly from: string; readonly to: string };
  readonly prompt: { readonly from: string; readonly to: string };
  /** Distinct values per kind after the rewrite (what Neo4j must hold, no more, no less). */
  readonly expected: { readonly accounts: number; readonly payments: number; readonly prompts: number; readonly paidWith: number; readonly sent: number };
}

function mostShared(file: string, members: ReadonlySet<string>, column: number): string {
  const counts = new Map<string, number>();
  for (const l of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    const c = l.split(',');
    if (c.length > column && members.has(c[0]!)) counts.set(c[column]!, (counts.get(c[column]!) ?? 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  if (!best || best[1] < 2) throw new Error(`no value of ${path.basename(file)} is shared by the ring`);
  return best[0];
}

/** Rewrite a generated drop (`generate()` output folder) in place. `group` names a planted ring of truth.csv. */
export function makeHostile(outDir: string, group: string): HostileDrop {
  const dropDir = path.join(outDir, 'drop');
  const truth = fs
    .readFileSync(path.join(outDir, 'truth.csv'), 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const ring = truth.filter((t) => t[2] === group).map((t) => t[0]!);
  if (ring.length < HOSTILE_ACCOUNT_IDS.length) throw new Error(`group ${group} has ${ring.length} members`);
  const accounts = new Map(HOSTILE_ACCOUNT_IDS.map((h, i) => [ring[i]!, h]));
  const members = new Set(ring);
  const payment = { from: mostShared(path.join(dropDir, 'payment_methods.csv'), members, 1), to: HOSTILE_PAYMENT };
  const prompt = { from: mostShared(path.join(dropDir, 'prompt_fingerprints.csv'), members, 1), to: HOSTILE_PROMPT };
  const acc = (v: string): string => accounts.get(v) ?? v;
  rewrite(path.join(dropDir, 'accounts.csv'), (_h, c) => [acc(c[0]!), ...c.slice(1)], true);
  rewrite(path.join(dropDir, 'payment_methods.csv'), (_h, c) => [acc(c[0]!), c[1] === payment.from ? payment.to : c[1]!, ...c.slice(2)], true);
  rewrite(path.join(dropDir, 'prompt_fingerprints.csv'), (_h, c) => [acc(c[0]!), c[1] === prompt.from ? prompt.to : c[1]!, ...c.slice(2)]);
  rewrite(path.join(dropDir, 'ip_addresses.csv'), (_h, c) => [acc(c[0]!), ...c.slice(1)]);
  rewrite(path.join(dropDir, 'activity.csv'), (_h, c) => [acc(c[0]!), ...c.slice(1)]);

  // What the graph must hold afterwards, counted from the original (unquoted) files and the mapping.
  const distinct = (file: string, cols: number[], mapper: (c: string[]) => string[]): Set<string> => {
    const s = new Set<string>();
    for (const l of fs.readFileSync(file, 'utf8').split('\n').slice(1)) if (l) s.add(JSON.stringify(cols.map((i) => mapper(parseCsvLine(l))[i])));
    return s;
  };
  const ident = (c: string[]): string[] => c;
  const allAccounts = new Set<string>();
  for (const f of ['accounts', 'payment_methods', 'ip_addresses', 'prompt_fingerprints', 'activity']) {
    for (const v of distinct(path.join(dropDir, `${f}.csv`), [0], ident)) allAccounts.add(v);
  }
  return {
    dropDir,
    accounts,
    payment,
    prompt,
    expected: {
      accounts: allAccounts.size,
      payments: distinct(path.join(dropDir, 'payment_methods.csv'), [1], ident).size,
      prompts: distinct(path.join(dropDir, 'prompt_fingerprints.csv'), [1], ident).size,
      paidWith: distinct(path.join(dropDir, 'payment_methods.csv'), [0, 1], ident).size,
      sent: distinct(path.join(dropDir, 'prompt_fingerprints.csv'), [0, 1], ident).size,
    },
  };
}

/** RFC 4180 line splitter for the rewritten files (quoted cells, `""` escapes; no embedded newlines here). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else {
          v += line[i++];
        }
      }
      out.push(v);
      i++; // the comma
    } else {
      const j = line.indexOf(',', i);
      const end = j < 0 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}
