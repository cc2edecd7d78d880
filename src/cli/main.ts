import { Command } from 'commander';
import { commands } from './commands/index.js';
import { reportError } from './error-report.js';

/**
 * `ringscope` command line. Each subcommand lives in src/cli/commands/<name>.ts and exports
 * `register(program)`; commands/index.ts lists them. Every failure ends here: one line on stderr
 * and a distinct exit code (src/cli/error-report.ts).
 */
const program = new Command('ringscope')
  .description('Graph-based account-linkage engine: finds coordinated distillation rings across API accounts')
  .version('0.1.0')
  // Subcommands inherit both: commander's own errors (unknown option, missing argument) throw
  // instead of exiting, so they get exit 2 here, and print as one line in the same form as ours.
  .exitOverride()
  .configureOutput({
    outputError: (s, write) =>
      write(
        `ringscope: UsageError: ${s
          .replace(/^error: /, '')
          .replace(/\s*\n\s*/g, ' ')
          .trim()} (hint: --help)\n`,
      ),
  });

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const r = reportError(err);
  if (r.line) process.stderr.write(`${r.line}\n`);
  process.exit(r.exitCode);
}
