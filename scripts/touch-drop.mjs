#!/usr/bin/env node
// A next-night drop for the incremental-detection benchmark (BENCHMARKS.md, "Nightly: incremental vs
// full"): it touches a share of the accounts of an existing drop (CSV, as the generator writes it).
// Half of the touched share are new accounts that copy every row of a random existing account
// (a ring grows, a family gains a member); the other half are existing accounts seen again (their
// first IP once more, a day after the window). Usage:
//   node scripts/touch-drop.mjs <drop-dir> <out-dir> [--share 0.01] [--seed 1]
import fs from 'node:fs';
import path from 'node:path';

const FILES = ['accounts', 'payment_methods', 'ip_addresses', 'prompt_fingerprints', 'activity'];
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : def;
};
const share = Number(opt('--share', '0.01'));
let seed = Number(opt('--seed', '1')) >>> 0;
const [dropDir, outDir] = args;
if (!dropDir || !outDir || !(share > 0 && share < 1)) {
  console.error('usage: touch-drop.mjs <drop-dir> <out-dir> [--share 0.01] [--seed 1]');
  process.exit(2);
}
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const read = (f) => {
  const [header, ...lines] = fs
    .readFileSync(path.join(dropDir, `${f}.csv`), 'utf8')
    .trimEnd()
    .split('\n');
  return { header, rows: lines.map((l) => l.split(',')) };
};
const drop = Object.fromEntries(FILES.map((f) => [f, read(f)]));
const ids = drop.accounts.rows.map((r) => r[0]);
const count = Math.max(2, Math.round(ids.length * share));
const pick = new Set();
while (pick.size < Math.min(count, ids.length)) pick.add(ids[Math.floor(rand() * ids.length)]);
const chosen = [...pick];
const copies = new Map(chosen.slice(0, Math.ceil(count / 2)).map((a, i) => [a, `acct_night_${String(i).padStart(6, '0')}`]));
const seen = new Set(chosen.slice(Math.ceil(count / 2)));
// The window's end: the latest last_seen of the IP file, plus a day.
let end = 0;
for (const r of drop.ip_addresses.rows) end = Math.max(end, Date.parse(r[3]));
const later = new Date(end + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const out = Object.fromEntries(FILES.map((f) => [f, { header: drop[f].header, rows: [] }]));
for (const f of FILES) {
  for (const r of drop[f].rows) {
    const copy = copies.get(r[0]);
    if (copy) out[f].rows.push([copy, ...(f === 'accounts' ? [later, ...r.slice(2)] : r.slice(1))]);
  }
}
const firstIp = new Map();
for (const r of drop.ip_addresses.rows) if (seen.has(r[0]) && !firstIp.has(r[0])) firstIp.set(r[0], r);
for (const [a, r] of firstIp) out.ip_addresses.rows.push([a, r[1], later, later, '5', ...r.slice(5)]);
fs.mkdirSync(outDir, { recursive: true });
for (const f of FILES) fs.writeFileSync(path.join(outDir, `${f}.csv`), [out[f].header, ...out[f].rows.map((r) => r.join(','))].join('\n') + '\n');
console.log(
  JSON.stringify({
    accounts: ids.length,
    newAccounts: copies.size,
    seenAgain: firstIp.size,
    rows: Object.fromEntries(FILES.map((f) => [f, out[f].rows.length])),
  }),
);
