import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Neo4jClient } from '../../src/db/index.js';
import type { LinkageInput } from '../../src/graph/index.js';
import { HOUR_MS, ingestDrop, type IngestSummary } from '../../src/loaders/index.js';

/**
 * Test helper: a hand-built LinkageInput becomes a drop (CSV files per docs/data-contract.md) and
 * goes through the real ingest, so tests never write the graph model with Cypher of their own.
 * The mapping is the inverse of the reader's merge rules (docs/data-contract.md): a payment
 * membership of count n is n rows (payments count observations), an IP membership is one row with
 * `requests`, a prompt one row with `count`; subnets are not written (ingest derives them from IPs).
 * An account without `createdAt` gets no accounts row: it is created by its observations.
 */
const csv = (v: string | number | boolean | undefined | null): string => {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const iso = (ms: number): string => new Date(ms).toISOString();

export interface DropWriteOptions {
  /** Write only the rows of accounts this accepts (a later drop that adds accounts). @defaultValue every account */
  readonly only?: (account: string) => boolean;
}

/** Write `input` as a drop directory; returns the file names written. */
export async function writeInputDrop(dir: string, input: LinkageInput, options: DropWriteOptions = {}): Promise<string[]> {
  const keep = options.only ?? (() => true);
  const files: Record<string, string[]> = {
    'accounts.csv': ['account_id,created_at,email_domain,country,verified,plan'],
    'payment_methods.csv': ['account_id,payment_fingerprint,first_seen,last_seen'],
    'ip_addresses.csv': ['account_id,ip,first_seen,last_seen,requests,is_proxy'],
    'prompt_fingerprints.csv': ['account_id,fingerprint,first_seen,last_seen,count,capability,kind,markers'],
    'activity.csv': ['account_id,hour,requests'],
  };
  for (const a of input.accounts.values()) {
    if (!keep(a.id) || a.createdAt === undefined) continue;
    files['accounts.csv']!.push([a.id, iso(a.createdAt), a.emailDomain, a.country, a.verified, a.plan].map(csv).join(','));
  }
  for (const g of input.identifiers) {
    for (const m of g.members) {
      if (!keep(m.account)) continue;
      const span = [iso(m.firstSeen), iso(m.lastSeen)];
      if (g.kind === 'payment') {
        for (let i = 0; i < m.count; i++) files['payment_methods.csv']!.push([m.account, g.key, ...span].map(csv).join(','));
      } else if (g.kind === 'ip') {
        files['ip_addresses.csv']!.push([m.account, g.key, ...span, m.count, g.isProxy].map(csv).join(','));
      } else if (g.kind === 'prompt') {
        const markers = g.markers ? [...g.markers].join(';') : undefined;
        files['prompt_fingerprints.csv']!.push([m.account, g.key, ...span, m.count, g.capability, g.fpKind, markers].map(csv).join(','));
      }
    }
  }
  for (const [account, s] of input.activity) {
    if (!keep(account)) continue;
    for (let i = 0; i < s.hours.length; i++) files['activity.csv']!.push([account, iso(s.hours[i]! * HOUR_MS), s.requests[i]!].map(csv).join(','));
  }
  const written: string[] = [];
  for (const [name, lines] of Object.entries(files)) {
    if (lines.length < 2) continue;
    await fs.writeFile(path.join(dir, name), `${lines.join('\n')}\n`);
    written.push(name);
  }
  return written;
}

/**
 * Ingest `input` into Neo4j through the real loader (a drop in a temporary folder, removed after).
 * Throws when any row is rejected, so a helper bug cannot silently load less than the test assumes.
 */
export async function ingestInput(client: Neo4jClient, input: LinkageInput, options: DropWriteOptions & { dropId?: string } = {}): Promise<IngestSummary> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ringscope-input-'));
  const dir = path.join(tmp, options.dropId ?? 'drop');
  try {
    await fs.mkdir(dir);
    await writeInputDrop(dir, input, options);
    const summary = await ingestDrop(client, dir, { stateDir: path.join(tmp, 'state'), maxRejectRatio: 0 });
    const bad = summary.files.filter((f) => f.status !== 'ok' || f.rejects > 0);
    if (bad.length > 0) throw new Error(`ingest of a test input rejected rows: ${JSON.stringify(bad)}`);
    return summary;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
