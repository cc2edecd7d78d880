import type { Command } from 'commander';
import { DETECT_AND_WRITE_DEFAULTS } from '../db/index.js';
import { isoMoment, nonNegativeInt, positiveNumber } from './option-parsers.js';

/** The options both `detect` and `run` pass to the one detection service, parsed. */
export interface DetectionFlags {
  seed: number;
  resolution: number;
  releaseDate?: number;
  keepRuns: number;
  full?: boolean;
  fullEvery: number;
}

/**
 * Add the detection service's options with its defaults (DETECT_AND_WRITE_DEFAULTS), so that
 * `ringscope detect` and `ringscope run` cannot drift apart in names, parsing or defaults.
 */
export function withDetectionOptions(command: Command): Command {
  const d = DETECT_AND_WRITE_DEFAULTS;
  return command
    .option('--seed <n>', 'seed for MinHash and Louvain (same data + seed = same clusters)', nonNegativeInt('--seed'), d.seed)
    .option('--resolution <x>', 'Louvain resolution (higher: smaller clusters)', positiveNumber('--resolution'), d.resolution)
    .option(
      '--release-date <iso>',
      'model-release date or date-time (ISO 8601) for the traffic-shift feature (default: RINGSCOPE_RELEASE_DATE)',
      isoMoment('--release-date'),
    )
    .option('--keep-runs <n>', 'keep only the newest N runs (0: keep all)', nonNegativeInt('--keep-runs'), d.keepRuns)
    .option('--full', 'a full run even when the detection snapshot allows an incremental one (docs/incremental.md)')
    .option('--full-every <n>', 'a full run when the last N-1 runs were incremental (0: only when needed)', nonNegativeInt('--full-every'), d.fullEvery);
}
