#!/usr/bin/env node
// The ringscope CLI runs the compiled JavaScript in dist/ (BullMQ sandboxed processors need JS files).
// `npm run build` compiles it; the README's commands do that for you.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const main = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  console.error('ringscope: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
await import(pathToFileURL(main).href);
