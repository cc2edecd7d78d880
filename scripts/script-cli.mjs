// What the benchmark and profiling scripts share on their command line: `--name value` flags, a
// timestamped progress line, and the guard that keeps a store-wiping script off the dev instance.

/** `--name value` pairs of argv (after node and the script) as an object of strings. */
export function flags(argv = process.argv.slice(2)) {
  return Object.fromEntries(argv.reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
}

/** A progress logger to stderr: `[tag] HH:MM:SS message`. */
export function progress(tag) {
  return (m) => console.error(`[${tag}] ${new Date().toISOString().slice(11, 19)} ${m}`);
}

/**
 * The instance this script runs against (RINGSCOPE_INSTANCE, set by with-services.mjs). A script
 * that deletes the store exits 2 on the dev instance, which holds the user's own data.
 */
export function scratchInstance(why) {
  const instance = process.env.RINGSCOPE_INSTANCE ?? 'dev';
  if (instance === 'dev') {
    console.error(`${why}; run it on a separate instance (e.g. node scripts/with-services.mjs --instance bench -- …)`);
    process.exit(2);
  }
  return instance;
}
