import { Command } from 'commander';
import { RingscopeError } from '../util/errors.js';
import { commands } from './commands/index.js';

/**
 * `ringscope` command line. Each subcommand lives in src/cli/commands/<name>.ts and exports
 * `register(program)`; commands/index.ts lists them.
 */
const program = new Command('ringscope')
  .description('Graph-based account-linkage engine: finds coordinated distillation rings across API accounts')
  .version('0.1.0')
  .showHelpAfterError();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof RingscopeError) {
    process.stderr.write(`ringscope: ${err.name}: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
