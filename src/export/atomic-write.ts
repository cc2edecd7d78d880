import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '../util/errors.js';

/** The file-system calls an atomic write makes (tests inject one that fails). */
export type AtomicIo = Pick<typeof fsp, 'mkdir' | 'open' | 'rename' | 'rm' | 'link'>;

export interface AtomicFile {
  readonly path: string;
  readonly data: string | Uint8Array;
}

export interface AtomicWriteOptions {
  /** The path the caller asked for (`--out`), named in errors. @defaultValue the last file */
  readonly target?: string;
  /** @defaultValue node:fs/promises */
  readonly io?: AtomicIo;
}

const DEFAULTS: Required<Pick<AtomicWriteOptions, 'io'>> = { io: fsp };

const tempName = (file: string, kind: 'tmp' | 'bak'): string =>
  path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.${kind}`);

const HINTS: Record<string, string> = {
  ENOSPC: 'free space on that file system, or choose another target',
  EDQUOT: 'free space (disk quota), or choose another target',
  EROFS: 'the file system is read-only: choose a writable target',
  EACCES: 'choose a target you may write, or fix its permissions',
  EPERM: 'choose a target you may write, or fix its permissions',
};

/**
 * A failed write as a StorageError naming `target` (`--out`) and the real file, never the temp file
 * (Node's own message names the temp file, so it is not reused).
 */
function writeError(target: string, file: string, step: string, err: unknown): StorageError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  return new StorageError(target, code, `${step} ${path.basename(file)} failed; the previous file(s) are unchanged`, {
    cause: err,
    hint: HINTS[code] ?? 'check the target path and write again',
  });
}

/** Write and fsync a temp file next to `file`; on any failure the temp file is removed. */
async function writeTemp(io: AtomicIo, file: string, data: string | Uint8Array): Promise<string> {
  const tmp = tempName(file, 'tmp');
  const fh = await io.open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await io.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  return tmp;
}

/**
 * Write several files so that each reader sees the old set or the new one: every file goes to a temp
 * file in its own directory (rename is atomic only within one filesystem) and is fsynced first;
 * only when all are written are they renamed, in the order given, and the directories fsynced.
 * Any failure leaves every previous file as it was and removes the temp files: a write failure
 * (ENOSPC, EROFS, EACCES) before anything is renamed, a rename failure by putting back the files
 * already renamed (the old ones are hard-linked aside first). Errors are StorageError naming
 * `target`. Callers put the file a consumer waits for last (see writeExport).
 */
export async function writeFilesAtomic(files: readonly AtomicFile[], options: AtomicWriteOptions = {}): Promise<void> {
  const { io } = { ...DEFAULTS, ...options };
  const target = options.target ?? files.at(-1)?.path ?? '';
  const temps: string[] = [];
  const backups = new Map<string, string | null>();
  const cleanup = async (): Promise<void> => {
    for (const t of [...temps, ...[...backups.values()].filter((b): b is string => b !== null)]) await io.rm(t, { force: true }).catch(() => undefined);
  };
  for (const f of files) {
    try {
      await io.mkdir(path.dirname(path.resolve(f.path)), { recursive: true });
      temps.push(await writeTemp(io, f.path, f.data));
    } catch (err) {
      await cleanup();
      throw writeError(target, f.path, 'writing', err);
    }
  }
  // Keep each old file but the last aside, so that a failed later rename can put it back.
  for (const f of files.slice(0, -1)) {
    const bak = tempName(f.path, 'bak');
    try {
      await io.link(f.path, bak);
      backups.set(f.path, bak);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') backups.set(f.path, null);
      else {
        await cleanup();
        throw writeError(target, f.path, 'keeping aside the previous', err);
      }
    }
  }
  const renamed: string[] = [];
  for (const [i, f] of files.entries()) {
    try {
      await io.rename(temps[i]!, f.path);
      renamed.push(f.path);
    } catch (err) {
      for (const done of renamed.reverse()) {
        const bak = backups.get(done);
        if (bak) await io.rename(bak, done).catch(() => undefined);
        else await io.rm(done, { force: true }).catch(() => undefined);
      }
      await cleanup();
      throw writeError(target, f.path, 'renaming into place', err);
    }
  }
  temps.length = 0;
  await cleanup();
  for (const dir of new Set(files.map((f) => path.dirname(path.resolve(f.path))))) {
    const dh = await io.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}

/** One file, atomically (see writeFilesAtomic). */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFilesAtomic([{ path: file, data }], { target: file, ...options });
}
