import type { Command } from 'commander';
import { BASELINES } from '../../baselines/index.js';
import { writePredictionsCsv } from '../../evaluate/index.js';
import { readDropAsLinkageInput } from '../../loaders/index.js';
import { InvalidParameterError } from '../../util/errors.js';

/** `ringscope baseline`: run a peer baseline on a drop and write predictions for `evaluate --predictions`. */
export function register(program: Command): void {
  program
    .command('baseline')
    .description('Run a peer baseline on a drop and write account_id,cluster_id,recommendation (clusters of ≥ 2 flagged review)')
    .requiredOption('--name <name>', `baseline: ${[...BASELINES.keys()].join('|')}`)
    .requiredOption('--drop <dir>', 'drop directory')
    .requiredOption('--out <file>', 'predictions CSV to write')
    .option('--seed <s>', 'seed (louvain-plain)', '1')
    .action(async (o: { name: string; drop: string; out: string; seed: string }) => {
      const run = BASELINES.get(o.name);
      if (!run) throw new InvalidParameterError('name', `unknown baseline ${o.name}; known: ${[...BASELINES.keys()].join(', ')}`);
      const seed = Number(o.seed);
      if (!Number.isSafeInteger(seed)) throw new InvalidParameterError('seed', 'must be an integer');
      const t0 = Date.now();
      const input = await readDropAsLinkageInput(o.drop);
      const t1 = Date.now();
      const predictions = run(input, { seed });
      const t2 = Date.now();
      await writePredictionsCsv(o.out, predictions);
      const clusters = new Set([...predictions.values()].map((p) => p.clusterId)).size;
      process.stderr.write(`read ${input.accounts.size} accounts in ${((t1 - t0) / 1000).toFixed(1)} s; ${o.name} in ${((t2 - t1) / 1000).toFixed(1)} s\n`);
      process.stdout.write(`${o.name}: ${clusters} clusters, ${predictions.size} accounts flagged review → ${o.out}\n`);
    });
}
