import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let cached: Promise<string> | undefined;

/** The client entry next to this module: TypeScript under src/ (tests, tsx), compiled JS under dist/. */
function clientEntry(): string {
  for (const f of ['report-client.ts', 'report-client.js']) {
    const p = path.join(HERE, 'client', f);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`report client not found in ${path.join(HERE, 'client')}`);
}

/**
 * Bundle the browser client with sigma, graphology and ForceAtlas2 (from node_modules) into one
 * minified IIFE, at report time, so the report needs no CDN and opens from file://. Licence
 * comments of the bundled packages are kept at the end of the file. Cached per process.
 */
export function bundleReportClient(): Promise<string> {
  cached ??= (async () => {
    const esbuild = await import('esbuild');
    const out = await esbuild.build({
      entryPoints: [clientEntry()],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: ['es2020'],
      minify: true,
      legalComments: 'eof',
      write: false,
      logLevel: 'silent',
    });
    return out.outputFiles[0]!.text;
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
