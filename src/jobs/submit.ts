import path from 'node:path';
import { runFinished, type Neo4jClient } from '../db/index.js';
import { assertDropUnchanged, openDrop, type DropRef } from '../loaders/index.js';
import { enqueueDrop, type DropFlowOptions, type EnqueueResult } from './flow.js';
import { runIdForDrop } from './job-ids.js';
import { ingestedDrops } from './ledger-repository.js';
import type { PipelineQueues } from './queues.js';

export type SubmitOptions = Partial<DropFlowOptions> & {
  /** Drop id override (defaults to the folder name). */
  readonly dropId?: string;
};

/** Default export folder of a state dir. */
export function defaultOutDir(stateDir: string): string {
  return path.resolve(stateDir, 'exports');
}

/**
 * Open a drop folder (hashing it), look it up in the ledger, and enqueue its flow once.
 * `ringscope run` and the scheduler's scan both come through here. A drop id that already loaded
 * other content is refused here (EditedDropError, an InvalidDropError: the scan skips the folder
 * with its reason), before a flow exists; each file job checks again before it writes.
 */
export async function submitDrop(
  q: PipelineQueues,
  client: Neo4jClient,
  dropDir: string,
  stateDir: string,
  options: SubmitOptions = {},
): Promise<EnqueueResult & { readonly ref: DropRef }> {
  const ref = await openDrop(dropDir, options.dropId ? { dropId: options.dropId } : {});
  const ingested = (await ingestedDrops(client, [ref.sha256])).has(ref.sha256);
  if (!ingested) await assertDropUnchanged(client, ref);
  const finished = ingested ? await runFinished(client, runIdForDrop(ref.sha256)) : false;
  const { dropId: _dropId, ...flowOptions } = options;
  const result = await enqueueDrop(q, ref, { ingested, runFinished: finished }, { outDir: defaultOutDir(stateDir), ...flowOptions });
  return { ...result, ref };
}
