/**
 * The rows of generated accounts, written to the five drop files (and raw prompt logs) in exporter
 * order: the accounts file in the order accounts come, every observation file shuffled across the
 * whole file (row-sink.ts). One writer for the first drop (generate.ts) and for each night (night.ts);
 * `keys` prefixes every seeded stream, so a night's timestamps and interleaving differ from the
 * first drop's while the first drop's stay what they were (`keys` = [seed]).
 */
import path from 'node:path';
import type { AccountRecord } from './account-rows.js';
import { HOUR_MS } from './plan.js';
import { Rng } from './prng.js';
import { promptText } from './prompt-text.js';
import { RowSink } from './row-sink.js';

export const DROP_FILES = ['accounts', 'payment_methods', 'ip_addresses', 'prompt_fingerprints', 'activity'] as const;
export type DropFileName = (typeof DROP_FILES)[number];

const HEADERS: Record<DropFileName, string> = {
  accounts: 'account_id,created_at,email_domain,country,verified,plan',
  payment_methods: 'account_id,payment_fingerprint,first_seen,last_seen,card_bin,card_country',
  ip_addresses: 'account_id,ip,first_seen,last_seen,requests,asn,is_proxy',
  prompt_fingerprints: 'account_id,fingerprint,first_seen,last_seen,count,capability,kind,markers',
  activity: 'account_id,hour,requests',
};

/** ISO-8601 UTC with `Z` and no milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

export interface DropWriterOptions {
  readonly dropDir: string;
  /** Folder of prompts.ndjson in raw mode (beside the drop, never inside). */
  readonly outDir: string;
  readonly gzip: boolean;
  readonly rawPrompts: boolean;
  readonly promptsPerFingerprint: number;
  readonly scaffoldShare: number;
  /** Prefix of every seeded stream: [seed] for the first drop, [seed, 'night', day] for a night. */
  readonly keys: ReadonlyArray<number | string>;
}

export class DropWriter {
  private readonly sinks: Partial<Record<DropFileName, RowSink>>;
  private readonly prompts: RowSink | undefined;
  readonly promptsFile: string | undefined;
  private readonly hourIso = new Map<number, string>();

  constructor(private readonly o: DropWriterOptions) {
    const ext = o.gzip ? '.csv.gz' : '.csv';
    const files = DROP_FILES.filter((f) => !(o.rawPrompts && f === 'prompt_fingerprints'));
    // Observation files come in exporter order: shuffled across the whole file, so one account's rows
    // are spread over it (an export by time or row id), not grouped by account.
    this.sinks = Object.fromEntries(
      files.map((f) => [
        f,
        new RowSink(path.join(o.dropDir, f + ext), {
          gzip: o.gzip,
          header: HEADERS[f],
          ...(f === 'accounts' ? {} : { shuffle: 'file' as const }),
          rng: Rng.for(...o.keys, 'interleave', f),
        }),
      ]),
    );
    this.promptsFile = o.rawPrompts ? path.join(o.outDir, 'prompts.ndjson') : undefined;
    this.prompts = this.promptsFile
      ? new RowSink(this.promptsFile, { gzip: false, shuffleWindow: 4096, rng: Rng.for(...o.keys, 'interleave', 'prompts') })
      : undefined;
  }

  private hourStr(h: number): string {
    let s = this.hourIso.get(h);
    if (s === undefined) this.hourIso.set(h, (s = isoSeconds(h * HOUR_MS)));
    return s;
  }

  /** Write one account's rows; `accountRow` false writes its observations only (an account seen before). */
  write(a: AccountRecord, slot: number, accountRow = true): void {
    const S = this.sinks;
    const keys = this.o.keys;
    const tr = Rng.for(...keys, 'ts', slot);
    const seen = (first: number, last: number): string => {
      let x = first * HOUR_MS + tr.int(3600) * 1000;
      let y = last * HOUR_MS + tr.int(3600) * 1000;
      if (y < x) [x, y] = [y, x];
      return `${isoSeconds(x)},${isoSeconds(y)}`;
    };
    if (accountRow) S.accounts!.push(`${a.id},${isoSeconds(a.createdMs)},${a.emailDomain},${a.country},${a.verified},${a.plan}`);
    for (const pm of a.payments) S.payment_methods!.push(`${a.id},${pm.card.fp},${seen(pm.first, pm.last)},${pm.card.bin},${pm.card.country}`);
    for (const x of a.ips) S.ip_addresses!.push(`${a.id},${x.ip.ip},${seen(x.first, x.last)},${x.requests},${x.ip.asn},${x.ip.isProxy}`);
    if (this.prompts) {
      a.prompts.forEach((u, k) => {
        const m = Math.min(u.count, this.o.promptsPerFingerprint);
        for (let i = 0; i < m; i++) {
          const r = Rng.for(...keys, 'prompt', slot, k, i);
          const ts = isoSeconds((u.first + r.int(u.last - u.first + 1)) * HOUR_MS + r.int(3600) * 1000);
          const t = promptText(u.fp, r, this.o.scaffoldShare);
          this.prompts!.push(JSON.stringify({ account_id: a.id, ts, prompt: t.prompt, ...(t.system ? { system: t.system } : {}) }));
        }
      });
    } else {
      for (const u of a.prompts)
        S.prompt_fingerprints!.push(`${a.id},${u.fp.fp},${seen(u.first, u.last)},${u.count},${u.fp.capability},${u.fp.kind},${u.fp.markers.join(';')}`);
    }
    for (let i = 0; i < a.hours.length; i++) S.activity!.push(`${a.id},${this.hourStr(a.hours[i]!)},${a.requests[i]}`);
  }

  /** Write out what has accumulated (call every few hundred accounts: backpressure). */
  async drain(): Promise<void> {
    for (const s of Object.values(this.sinks)) await s.drain();
    await this.prompts?.drain();
  }

  /** Close every file; rows written per file (headers excluded). */
  async close(): Promise<Record<string, number>> {
    for (const s of Object.values(this.sinks)) await s.close();
    await this.prompts?.close();
    const rows: Record<string, number> = {};
    for (const [f, s] of Object.entries(this.sinks)) rows[f] = s.rows;
    if (this.prompts) rows.prompts = this.prompts.rows;
    return rows;
  }
}
