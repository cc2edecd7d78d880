import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InvalidDropError } from '../util/errors.js';
import { classifyFileName, KIND_ORDER, type FileFormat, type FileKind } from './file-kinds.js';

/** One data file of a drop. Plain data, so it can travel in a BullMQ job. */
export interface DropFile {
  /** File name inside the drop (no directory part). */
  readonly name: string;
  /** Absolute, symlink-resolved path, checked to be inside the drop. */
  readonly path: string;
  readonly kind: FileKind;
  readonly format: FileFormat;
  readonly gzip: boolean;
  readonly bytes: number;
  /** sha256 of the file's bytes: batch markers are keyed by it, so a file's content loads at most once. */
  readonly sha256: string;
}

/** A drop as ingest sees it. Plain data (JSON-serialisable). */
export interface DropRef {
  /** Folder name (sanitised) or the id given by the caller. */
  readonly id: string;
  /** Absolute, symlink-resolved drop directory. */
  readonly dir: string;
  /** sha256 over the data files' names, sizes and sha256s, in name order: the ledger key. */
  readonly sha256: string;
  /** Data files, in load order (accounts first). */
  readonly files: readonly DropFile[];
  /** Entries that were ignored (unknown names, folders), one message each. */
  readonly warnings: readonly string[];
}

export interface OpenDropOptions {
  /** Drop id; must match `[A-Za-z0-9._-]{1,128}`. @defaultValue the folder name, sanitised */
  readonly dropId?: string;
}

const DROP_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Inspect a drop directory: classify its files, refuse anything that could read outside it
 * (a symlink whose target leaves the drop), ignore unknown entries with a warning, and hash it.
 */
export async function openDrop(dropDir: string, opts: OpenDropOptions = {}): Promise<DropRef> {
  let dir: string;
  try {
    dir = fs.realpathSync(dropDir);
  } catch {
    throw new InvalidDropError(`${dropDir}: drop directory does not exist`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new InvalidDropError(`${dropDir}: not a directory`);
  const id = opts.dropId ?? sanitiseId(path.basename(dir));
  if (!DROP_ID.test(id) || id === '.' || id === '..') {
    throw new InvalidDropError(`drop id ${JSON.stringify(id)} must match [A-Za-z0-9._-]{1,128}`);
  }
  const files: DropFile[] = [];
  const warnings: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => cmp(a.name, b.name))) {
    const cls = classifyFileName(entry.name);
    const full = path.join(dir, entry.name);
    let real = full;
    if (entry.isSymbolicLink()) {
      try {
        real = fs.realpathSync(full);
      } catch {
        throw new InvalidDropError(`${entry.name}: dangling symlink in drop`);
      }
      if (!isInside(dir, real)) throw new InvalidDropError(`${entry.name}: symlink points outside the drop`);
    }
    if (!cls) {
      warnings.push(`${entry.name}: not a data-contract file name, ignored`);
      continue;
    }
    const st = fs.statSync(real);
    if (!st.isFile()) {
      warnings.push(`${entry.name}: not a regular file, ignored`);
      continue;
    }
    files.push({ name: entry.name, path: real, ...cls, bytes: st.size, sha256: await hashFile(real) });
  }
  if (files.length === 0) throw new InvalidDropError(`${dropDir}: no data files (see docs/data-contract.md)`);
  files.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || cmp(a.name, b.name));
  return { id, dir, sha256: hashFiles(files), files, warnings };
}

/**
 * Find a file of the drop by name. The name comes from callers (CLI, job data), so anything that is
 * not a plain file name of this drop (`../x`, an absolute path, a NUL) is refused.
 */
export function dropFile(drop: DropRef, name: string): DropFile {
  if (name !== path.basename(name) || name === '..' || name === '.' || name.includes('\0') || name.includes('\\')) {
    throw new InvalidDropError(`${JSON.stringify(name)}: file name must not contain a path`);
  }
  const f = drop.files.find((x) => x.name === name);
  if (!f) throw new InvalidDropError(`${name}: not a data file of drop ${drop.id}`);
  if (!isInside(drop.dir, f.path)) throw new InvalidDropError(`${name}: resolves outside the drop`);
  return f;
}

function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function sanitiseId(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128);
  return s === '' || s === '.' || s === '..' ? 'drop' : s;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The drop's sha256: over (name, size, file sha256) of each file in name order. */
function hashFiles(files: readonly DropFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => cmp(a.name, b.name))) h.update(`${f.name}\0${f.bytes}\0${f.sha256}\n`);
  return h.digest('hex');
}

/** Streaming sha256 of one file's bytes: constant memory. */
async function hashFile(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(p, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}
