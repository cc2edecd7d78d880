import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImportInput } from '../loaders/bulk-files.js';
import { BulkImportError } from '../util/errors.js';

/**
 * Runs Neo4j's offline importer (`neo4j-admin database import full`, Neo4j Operations Manual,
 * "Import") on a stopped DBMS home. The importer writes store files directly, without
 * transactions or locks: for a first load it is an order of magnitude faster than any Cypher
 * ingest, which is why a large initial load goes this way and nightly drops go through Cypher.
 *
 * It runs the `org.neo4j.cli.AdminTool` entry point from the same Neo4j 5.26 jars the launcher
 * uses (neo4j-launcher/lib); with Docker, run the printed command in the Neo4j image instead.
 */
export interface AdminImportOptions {
  /** The stopped DBMS home: the database goes to `<home>/data/databases/<database>`. */
  readonly neo4jHome: string;
  /** @defaultValue 'neo4j' */
  readonly database?: string;
  /** Replace an existing database of that name (its data is lost). @defaultValue false */
  readonly overwrite?: boolean;
  /** Folder of the Neo4j jars. @defaultValue `RINGSCOPE_NEO4J_LIB`, else neo4j-launcher/lib of this checkout */
  readonly neo4jLib?: string;
  /** Importer JVM heap. @defaultValue '2g' */
  readonly heap?: string;
  /** Importer report (bad entries); the importer's output goes next to it as `import.log`. */
  readonly reportFile: string;
  readonly onOutput?: (line: string) => void;
}

export const ADMIN_IMPORT_DEFAULTS = { database: 'neo4j', overwrite: false, heap: '2g' } as const;

const HERE = path.dirname(fileURLToPath(import.meta.url));

export function defaultNeo4jLib(): string {
  return process.env.RINGSCOPE_NEO4J_LIB ?? path.resolve(HERE, '..', '..', 'neo4j-launcher', 'lib');
}

/** The importer's arguments after the entry point (also what to run in the Docker image). */
export function importArguments(inputs: readonly ImportInput[], o: { database: string; overwrite: boolean; reportFile: string }): string[] {
  return [
    'database',
    'import',
    'full',
    o.database,
    `--overwrite-destination=${o.overwrite}`,
    '--id-type=integer',
    '--array-delimiter=;',
    // Every row was validated and merged before: a bad entry is a bug, so fail instead of skipping.
    '--skip-bad-relationships=false',
    '--skip-duplicate-nodes=false',
    `--report-file=${o.reportFile}`,
    ...inputs.map((i) => `--${i.kind}=${i.name}=${i.file}`),
  ];
}

/** Run the importer; resolves when the database is written, throws BulkImportError otherwise. */
export async function runAdminImport(inputs: readonly ImportInput[], options: AdminImportOptions): Promise<void> {
  const o = { ...ADMIN_IMPORT_DEFAULTS, neo4jLib: defaultNeo4jLib(), ...options };
  if (!fs.existsSync(o.neo4jLib) || !fs.readdirSync(o.neo4jLib).some((f) => f.startsWith('neo4j-import-tool'))) {
    throw new BulkImportError(`${o.neo4jLib}: no Neo4j import tool jars (start the services once, or set RINGSCOPE_NEO4J_LIB)`);
  }
  if (!fs.existsSync(o.neo4jHome)) throw new BulkImportError(`${o.neo4jHome}: Neo4j home does not exist`);
  if (fs.existsSync(path.join(o.neo4jHome, 'launcher.pid'))) {
    const pid = Number(fs.readFileSync(path.join(o.neo4jHome, 'launcher.pid'), 'utf8'));
    if (Number.isInteger(pid) && isAlive(pid)) throw new BulkImportError(`${o.neo4jHome}: Neo4j is running (pid ${pid}); stop it first`);
  }
  const args = [`-Xmx${o.heap}`, '-cp', `${o.neo4jLib}/*`, 'org.neo4j.cli.AdminTool', ...importArguments(inputs, o)];
  const logFile = path.join(path.dirname(o.reportFile), 'import.log');
  const log = fs.openSync(logFile, 'w', 0o600);
  const tail: string[] = [];
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('java', args, { env: { ...process.env, NEO4J_HOME: path.resolve(o.neo4jHome) }, stdio: ['ignore', 'pipe', 'pipe'] });
      const onData = (chunk: Buffer): void => {
        fs.writeSync(log, chunk);
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.trim() === '') continue;
          tail.push(line);
          if (tail.length > 20) tail.shift();
          o.onOutput?.(line);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (code !== 0) throw new BulkImportError(`neo4j-admin import failed (exit ${code}); see ${logFile}:\n${tail.slice(-8).join('\n')}`);
  } finally {
    fs.closeSync(log);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
