#!/usr/bin/env node
// Encode and decode a detection snapshot of a given size (docs/incremental.md; BENCHMARKS.md,
// "Nightly: incremental vs full"). Needs dist/ (npm run build). Usage:
//   node scripts/bench-snapshot.mjs [accounts=1000000] [links=4000000]
import { decodeState, encodeState } from '../dist/db/snapshot-codec.js';

const n = Number(process.argv[2] ?? 1_000_000);
const m = Number(process.argv[3] ?? 4_000_000);
const accounts = Array.from({ length: n }, (_, i) => `acct_${i.toString(16).padStart(16, '0')}`);
const src = new Int32Array(m);
const dst = new Int32Array(m);
for (let e = 0; e < m; e++) {
  src[e] = e % (n - 1);
  dst[e] = src[e] + 1;
}
const clusters = Array.from({ length: Math.ceil(n / 10) }, (_, i) => ({ id: `c${i.toString(16).padStart(16, '0')}`, recommendation: 'monitor' }));
const community = new Int32Array(n).map((_, i) => (i % 10 === 0 ? i / 10 : -1));
const state = {
  runId: 'r',
  storeId: 's',
  paramsDigest: 'p',
  drops: ['d@x'],
  sinceFull: 0,
  fullRunId: 'r',
  accounts,
  digests: new Uint32Array(2 * n),
  src,
  dst,
  weight: new Float64Array(m),
  evidence: new Float32Array(m * 5),
  community,
  clusters,
};
let t = performance.now();
const bytes = encodeState(state);
const encodeMs = Math.round(performance.now() - t);
t = performance.now();
const back = decodeState(bytes);
const decodeMs = Math.round(performance.now() - t);
if (back.accounts.length !== n || back.src.length !== m) throw new Error('round trip lost data');
console.log(JSON.stringify({ accounts: n, links: m, bytes: bytes.length, encodeMs, decodeMs }));
