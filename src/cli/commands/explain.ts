import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { getCluster, LATEST, Neo4jClient, resolveRun, type MemberDetail } from '../../db/index.js';
import { describeAttachment, SCORING_DEFAULTS } from '../../graph/index.js';
import { nonNegativeInt } from '../option-parsers.js';

/** `ringscope explain <cluster-id>`: score waterfall, reasons, members and the strongest and weakest links. */
export function register(program: Command): void {
  program
    .command('explain')
    .description('Print the evidence behind one cluster: score waterfall, features, members and links')
    .argument('<cluster-id>', 'cluster id (stable across runs)')
    .option('--run <id>', 'run id or "latest" (the newest finished run)', LATEST)
    .option('--links <n>', 'links to print', nonNegativeInt('--links'), 15)
    .option('--json', 'print the whole cluster as JSON')
    .action(async (clusterId: string, o: { run: string; links: number; json?: boolean }) => {
      const client = await Neo4jClient.connect(loadConfig());
      try {
        const { id: runId } = await resolveRun(client, o.run);
        const c = await getCluster(client, runId, clusterId);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(c)}\n`);
          return;
        }
        const out: string[] = [];
        out.push(
          `cluster ${c.id} in run ${runId}: ${c.recommendation}, score ${c.score.toFixed(3)}, ${c.size} accounts, lineage ${c.lineage}${c.previousId ? ` (from ${c.previousId})` : ''}`,
        );
        out.push('', 'reasons:', ...c.reasons.map((r) => `  - ${r}`));
        const contributions = (c.features.contributions ?? []) as Array<{ feature: string; logOdds: number; reason: string }>;
        out.push('', `score waterfall (log-odds; prior ${SCORING_DEFAULTS.prior}):`);
        for (const x of [...contributions].sort((a, b) => Math.abs(b.logOdds) - Math.abs(a.logOdds)))
          out.push(`  ${x.logOdds >= 0 ? '+' : ''}${x.logOdds.toFixed(2).padStart(6)}  ${x.feature.padEnd(16)} ${x.reason}`);
        const respawned = c.members.filter((m) => m.respawn).map((m) => m.id);
        out.push(
          '',
          `members (${c.members.length}): ${c.members
            .slice(0, 30)
            .map((m) => m.id)
            .join(', ')}${c.members.length > 30 ? ', …' : ''}`,
        );
        out.push(...memberLines(c.recommendation, c.members));
        if (respawned.length) out.push(`respawned (joined a cluster previously recommended enforce): ${respawned.join(', ')}`);
        const n = o.links;
        const fmt = (l: { a: string; b: string; weight: number; evidence: Record<string, number> }): string =>
          `  ${l.a} — ${l.b}  ${l.weight.toFixed(1)} bits  (${Object.entries(l.evidence)
            .filter(([, v]) => v > 0)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(', ')})`;
        out.push('', `strongest links (of ${c.links.length} written):`, ...c.links.slice(0, n).map(fmt));
        const weakest = c.links.length ? c.links[c.links.length - 1]! : undefined;
        out.push(
          '',
          `weakest spanning-tree link: ${c.weakestLink.toFixed(1)} bits${weakest && Math.abs(weakest.weight - c.weakestLink) < 0.01 ? `\n${fmt(weakest)}` : ''}`,
        );
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        await client.close();
      }
    });
}

/** Each member's own verdict: those below the cluster's recommendation first, with their reasons. */
function memberLines(cluster: string, members: readonly MemberDetail[]): string[] {
  const below = members.filter((m) => m.recommendation !== cluster);
  const out = ['', `member verdicts (${members.length - below.length} ${cluster}, ${below.length} below the cluster's ${cluster}):`];
  const row = (m: MemberDetail): string => {
    const attachment = m.attachment ? describeAttachment(m.attachment) : 'n/a';
    return `  ${m.id}  ${m.recommendation.padEnd(7)} kinds: ${m.kinds.join('+') || 'none'} (${attachment})`;
  };
  for (const m of below) out.push(row(m), ...m.reasons.map((r) => `      ${r}`));
  for (const m of members.filter((x) => x.recommendation === cluster).slice(0, 30)) out.push(row(m));
  if (members.length - below.length > 30) out.push('  …');
  return out;
}
