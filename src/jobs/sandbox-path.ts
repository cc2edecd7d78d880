import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of a compiled sandboxed processor. BullMQ sandboxes load plain JavaScript only
 * (Node's loader refuses a `.ts` processor with "Unknown file extension"), so when this module runs from TypeScript sources (vitest, tsx) the file is taken from
 * the tsc output in dist/ (npm test and with-services.mjs compile before running).
 */
export function sandboxFile(name: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const sibling = path.join(here, 'processors', `${name}.js`);
  if (fs.existsSync(sibling)) return sibling;
  let dir = here;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const built = path.join(dir, 'dist', 'jobs', 'processors', `${name}.js`);
  if (!fs.existsSync(built)) throw new Error(`sandboxed processor ${name}.js not found; run \`npm run build\` first`);
  return built;
}
