import type { Command } from 'commander';

/** Every subcommand registers itself here: one import and one entry per command file. */
export const commands: Array<(program: Command) => void> = [];
