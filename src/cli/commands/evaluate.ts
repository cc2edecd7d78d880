import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { loadRunAssignments, Neo4jClient } from '../../db/index.js';
import {
  evaluate,
  EVALUATE_DEFAULTS,
  formatEvaluation,
  isRecommendation,
  readPredictionsCsv,
  readTruthCsv,
  RECOMMENDATIONS,
  type Prediction,
} from '../../evaluate/index.js';
import { InvalidParameterError } from '../../util/errors.js';
import { nameList } from '../option-parsers.js';

/** `ringscope evaluate`: score a linkage run (or a predictions CSV) against truth.csv. */
export function register(program: Command): void {
  program
    .command('evaluate')
    .description('Score a linkage run or a predictions CSV against truth.csv: precision/recall/F1, recall per ring, legit flagged, purity')
    .requiredOption('--truth <file>', 'truth.csv written by `ringscope generate`')
    .option('--run <id>', 'linkage run to read from Neo4j: latest or a run id', 'latest')
    .option('--predictions <file>', 'score this CSV (account_id,cluster_id,recommendation) instead of a run')
    .option('--min-recommendation <level>', `flag accounts at ≥ this level: ${RECOMMENDATIONS.join('|')}`, 'review')
    .option('--positive-label <labels>', 'truth label(s) of ring accounts, comma-separated (e.g. fraud)', nameList('--positive-label'), [
      ...EVALUATE_DEFAULTS.positiveLabels,
    ])
    .option('--json', 'print the full evaluation as JSON')
    .action(async (o: { truth: string; run: string; predictions?: string; minRecommendation: string; positiveLabel: string[]; json?: boolean }) => {
      if (!isRecommendation(o.minRecommendation)) throw new InvalidParameterError('min-recommendation', `must be one of ${RECOMMENDATIONS.join(', ')}`);
      const truth = await readTruthCsv(o.truth);
      let predictions: Map<string, Prediction>;
      let source: string;
      if (o.predictions) {
        predictions = await readPredictionsCsv(o.predictions);
        source = o.predictions;
      } else {
        const client = await Neo4jClient.connect(loadConfig());
        try {
          const r = await loadRunAssignments(client, o.run);
          predictions = r.predictions;
          source = `run ${r.runId}`;
        } finally {
          await client.close();
        }
      }
      const e = evaluate(truth, predictions, { minRecommendation: o.minRecommendation, positiveLabels: o.positiveLabel });
      process.stdout.write(o.json ? JSON.stringify({ source, ...e }, null, 2) + '\n' : formatEvaluation(e, `evaluation of ${source}`));
    });
}
