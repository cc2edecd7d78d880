import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { neo4j, type Neo4jClient } from '../db/index.js';
import { InvalidParameterError, NotFoundError } from '../util/errors.js';
import { runReadOnly, type QueryRows, type ReadOnlyOptions } from './read-only-runner.js';

export type ParamType = 'string' | 'int' | 'float' | 'boolean';

export interface CookbookParam {
  readonly name: string;
  readonly type: ParamType;
  /** Absent: the parameter is required. `null` is a valid default ("any"). */
  readonly default?: string | number | boolean | null;
  readonly description: string;
}

export interface CookbookQuery {
  readonly name: string;
  /** The header's first line: what the query answers. */
  readonly summary: string;
  readonly params: readonly CookbookParam[];
  readonly cypher: string;
  readonly file: string;
}

/** `queries/` at the package root (same relative place from src/analyst and dist/analyst). */
export const QUERIES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'queries');

const PARAM_LINE =
  /^\/\/\s*@param\s+([A-Za-z_][A-Za-z0-9_]*)\s+(string|int|float|boolean)(?:\s*=\s*(null|true|false|-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*"))?\s*(.*)$/;

/** Parse a cookbook file: a `//` header (summary line, `@param name type [= default] description`), then Cypher. */
export function parseCookbookFile(file: string, text: string): CookbookQuery {
  const lines = text.split(/\r?\n/);
  const header: string[] = [];
  let i = 0;
  for (; i < lines.length && lines[i]!.startsWith('//'); i++) header.push(lines[i]!);
  const params: CookbookParam[] = [];
  header.forEach((line, n) => {
    if (!/^\/\/\s*@param\b/.test(line)) return;
    const m = PARAM_LINE.exec(line);
    if (!m)
      throw new InvalidParameterError(
        `${path.basename(file)}:${n + 1}`,
        'malformed @param line (expected `@param name string|int|float|boolean [= default] description`)',
      );
    const def = m[3] === undefined ? undefined : (JSON.parse(m[3]) as string | number | boolean | null);
    params.push({ name: m[1]!, type: m[2] as ParamType, ...(def === undefined ? {} : { default: def }), description: m[4]!.trim() });
  });
  const name = path.basename(file, '.cypher');
  const summary = (header[0] ?? '').replace(/^\/\/\s*/, '').replace(new RegExp(`^${name}:\\s*`), '');
  const cypher = lines.slice(i).join('\n').trim();
  if (!summary || !cypher) throw new InvalidParameterError(path.basename(file), 'a cookbook file needs a header comment and a query');
  return { name, summary, params, cypher, file };
}

export function listCookbook(dir: string = QUERIES_DIR): CookbookQuery[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cypher'))
    .sort()
    .map((f) => parseCookbookFile(path.join(dir, f), fs.readFileSync(path.join(dir, f), 'utf8')));
}

export function loadCookbookQuery(name: string, dir: string = QUERIES_DIR): CookbookQuery {
  // Names only: never a path (no traversal out of queries/).
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new NotFoundError(`no cookbook query named ${JSON.stringify(name)}`);
  const file = path.join(dir, `${name}.cypher`);
  if (!fs.existsSync(file)) throw new NotFoundError(`no cookbook query named ${name} (see queries/)`);
  return parseCookbookFile(file, fs.readFileSync(file, 'utf8'));
}

function coerce(p: CookbookParam, raw: string): unknown {
  switch (p.type) {
    case 'string':
      return raw;
    case 'int':
      if (!/^-?\d{1,18}$/.test(raw)) throw new InvalidParameterError(p.name, `must be an integer, got ${JSON.stringify(raw)}`);
      return neo4j.int(raw); // a JS number would reach Cypher as a float
    case 'float': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new InvalidParameterError(p.name, `must be a number, got ${JSON.stringify(raw)}`);
      return v;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new InvalidParameterError(p.name, 'must be true or false');
      return raw === 'true';
  }
}

/** Typed Cypher parameters from `k=v` strings: unknown names and missing required ones are errors. */
export function bindParams(q: CookbookQuery, raw: Readonly<Record<string, string>>): Record<string, unknown> {
  const known = new Map(q.params.map((p) => [p.name, p]));
  for (const k of Object.keys(raw)) {
    if (!known.has(k)) throw new InvalidParameterError(k, `unknown parameter of ${q.name} (takes ${[...known.keys()].join(', ') || 'none'})`);
  }
  const out: Record<string, unknown> = {};
  for (const p of q.params) {
    const v = raw[p.name];
    if (v !== undefined) out[p.name] = coerce(p, v);
    else if ('default' in p) out[p.name] = p.type === 'int' && typeof p.default === 'number' ? neo4j.int(p.default) : p.default;
    else throw new InvalidParameterError(p.name, `is required by ${q.name}`);
  }
  return out;
}

/** Parse repeated `--param k=v` values. */
export function parseParamArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new InvalidParameterError(a, 'expected name=value');
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

/** Run a cookbook query read-only. */
export async function runCookbookQuery(
  client: Neo4jClient,
  name: string,
  raw: Readonly<Record<string, string>> = {},
  options: ReadOnlyOptions & { readonly dir?: string } = {},
): Promise<QueryRows> {
  const q = loadCookbookQuery(name, options.dir);
  return runReadOnly(client, q.cypher, bindParams(q, raw), options);
}
