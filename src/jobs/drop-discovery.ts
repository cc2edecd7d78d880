import fs from 'node:fs';
import path from 'node:path';
import { classifyFileName } from '../loaders/index.js';

/**
 * Candidate drop folders for a scheduler tick. `spec` is one of:
 * - a drop folder (it holds data-contract files) → itself;
 * - a folder of drop folders → each sub-folder that holds data files, in name order;
 * - a glob whose last segment has `*` or `?` (`/data/drops/2026-*`) → the matching folders.
 * Only the last segment may be a pattern: drops live side by side in one landing folder.
 */
export function findDropDirs(spec: string): string[] {
  const abs = path.resolve(spec);
  const base = path.basename(abs);
  if (/[*?]/.test(base)) {
    const parent = path.dirname(abs);
    if (/[*?]/.test(parent)) throw new TypeError(`only the last path segment may contain * or ?: ${spec}`);
    const re = new RegExp(
      `^${base
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    return subdirs(parent).filter((d) => re.test(path.basename(d)) && isDropDir(d));
  }
  if (!isDir(abs)) return [];
  if (isDropDir(abs)) return [abs];
  return subdirs(abs).filter(isDropDir);
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function subdirs(dir: string): string[] {
  if (!isDir(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(dir, e.name))
    .sort();
}

export function isDropDir(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((n) => classifyFileName(n) !== undefined);
  } catch {
    return false;
  }
}
