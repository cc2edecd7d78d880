/** Plain-text rendering of an Evaluation (the CLI's table output). */
import type { Evaluation } from './evaluate.js';
import { RECOMMENDATIONS } from './types.js';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number): string => x.toFixed(3);

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n') + '\n';
}

export function formatEvaluation(e: Evaluation, title = ''): string {
  const parts: string[] = [];
  if (title) parts.push(`${title}\n`);
  parts.push(
    `accounts ${e.accounts}, ring accounts ${e.ringAccounts} (labelled ${e.positiveLabels.join(' or ')})${e.unknownAccounts ? `, ${e.unknownAccounts} predicted accounts not in truth (ignored)` : ''}\n` +
      `flagged at ≥ ${e.minRecommendation}: precision ${f3(e.scores.precision)}  recall ${f3(e.scores.recall)}  F1 ${f3(e.scores.f1)}\n`,
  );
  parts.push(
    '\n' +
      table([
        ['level (≥)', 'flagged', 'TP', 'FP', 'FN', 'precision', 'recall', 'F1'],
        ...[...RECOMMENDATIONS].reverse().map((r) => {
          const s = e.byLevel[r];
          return [r, String(s.flagged), String(s.truePositives), String(s.falsePositives), String(s.falseNegatives), f3(s.precision), f3(s.recall), f3(s.f1)];
        }),
      ]),
  );
  if (e.ringTypes.length) {
    parts.push(`\nrecall per ring type (≥ ${e.minRecommendation})\n`);
    parts.push(table([['type', 'accounts', 'flagged', 'recall'], ...e.ringTypes.map((g) => [g.type, String(g.size), String(g.flagged), pct(g.recall)])]));
    parts.push(`\nrecall per ring (≥ ${e.minRecommendation})\n`);
    parts.push(table([['ring', 'accounts', 'flagged', 'recall'], ...e.ringGroups.map((g) => [g.group, String(g.size), String(g.flagged), pct(g.recall)])]));
  }
  if (e.legitFlagged.length) {
    parts.push('\nlegitimate accounts flagged\n');
    parts.push(
      table([
        ['category', 'accounts', 'enforce', '≥ review', '≥ monitor'],
        ...e.legitFlagged.map((c) => [c.label, String(c.accounts), pct(c.enforce), pct(c.review), pct(c.monitor)]),
      ]),
    );
  }
  parts.push(`\ncluster purity (flagged clusters: ${e.purity.flaggedClusters}): mean ${f3(e.purity.mean)}, weighted ${f3(e.purity.weighted)}\n`);
  const worst = [...e.purity.clusters]
    .filter((c) => c.size > 1)
    .sort((a, b) => a.purity - b.purity || b.size - a.size)
    .slice(0, 5);
  if (worst.length) {
    parts.push(
      table([
        ['least pure clusters', 'level', 'size', 'ring', 'majority group', 'purity'],
        ...worst.map((c) => [c.clusterId, c.recommendation, String(c.size), String(c.ringMembers), c.majorityGroup, f3(c.purity)]),
      ]),
    );
  }
  return parts.join('');
}
