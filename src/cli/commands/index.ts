import type { Command } from 'commander';
import { register as ingest } from './ingest.js';
import { register as generate } from './generate.js';
import { register as fingerprint } from './fingerprint.js';
import { register as worker } from './worker.js';
import { register as run } from './run.js';
import { register as schedule } from './schedule.js';
import { register as status } from './status.js';
import { register as dashboard } from './dashboard.js';
import { register as evaluate } from './evaluate.js';
import { register as baseline } from './baseline.js';
import { register as exportCmd } from './export.js';
import { register as query } from './query.js';
import { register as report } from './report.js';
import { register as detect } from './detect.js';
import { register as clusters } from './clusters.js';
import { register as explain } from './explain.js';
import { register as bulkLoad } from './bulk-load.js';

/** Every subcommand registers itself here: one import and one entry per command file. */
export const commands: Array<(program: Command) => void> = [
  ingest,
  generate,
  fingerprint,
  worker,
  run,
  schedule,
  status,
  dashboard,
  evaluate,
  baseline,
  exportCmd,
  query,
  report,
  detect,
  clusters,
  explain,
  bulkLoad,
];
