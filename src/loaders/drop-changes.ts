import { dropIdState, type DropIdState } from '../db/ingest-repository.js';
import type { Neo4jClient } from '../db/neo4j-client.js';
import { EditedDropError } from '../util/errors.js';
import type { DropRef } from './drop.js';

/**
 * How a drop differs from what its id already loaded: one `name (changed|added|removed)` per file.
 * Against a complete ledger entry every difference counts; against files that only started loading
 * (no ledger entry yet, e.g. after a crash), a changed or removed file counts (its rows may be in),
 * a file not started yet does not.
 */
export function dropChanges(drop: DropRef, state: DropIdState): string[] {
  const out: string[] = [];
  const mine = new Map(drop.files.map((f) => [f.name, f.sha256]));
  if (state.ledger !== undefined) {
    if (state.ledger.sha256 === drop.sha256) return [];
    const theirs = new Map(state.ledger.files.map((name, i) => [name, state.ledger!.fileSha256s?.[i]]));
    for (const [name, sha] of mine) {
      if (!theirs.has(name)) out.push(`${name} (added)`);
      else if (theirs.get(name) !== undefined && theirs.get(name) !== sha) out.push(`${name} (changed)`);
    }
    for (const name of theirs.keys()) if (!mine.has(name)) out.push(`${name} (removed)`);
    // An entry without per-file hashes (written by an earlier version) cannot say which file changed.
    if (out.length === 0) out.push('file contents differ from the ledger entry');
    return out;
  }
  for (const c of state.claims) {
    if (!mine.has(c.name)) out.push(`${c.name} (removed)`);
    else if (mine.get(c.name) !== c.sha256) out.push(`${c.name} (changed)`);
  }
  return out;
}

/**
 * Refuse a drop whose id already loaded other content (EditedDropError, before anything is
 * written). Called by every path that loads a drop: ingest, each file job, and pipeline submit.
 */
export async function assertDropUnchanged(client: Neo4jClient, drop: DropRef): Promise<void> {
  const changes = dropChanges(drop, await dropIdState(client, drop.id));
  if (changes.length > 0) throw new EditedDropError(drop.id, changes);
}
