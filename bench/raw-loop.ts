/**
 * The baseline: the same writes, sent by a plain loop with the same SCIM client and the same
 * concurrency, and nothing else (no source reads, no matching, no store, no workflow). Its
 * objects per second are what the target itself allows on this machine.
 */
import pMap from 'p-map';
import { DEFAULT_USER_MAPPINGS, mapToTarget } from '../src/mapping/index';
import type { ScimClient, ScimResource } from '../src/scim/index';
import type { SourceObject } from '../src/source/index';
import type { UserRecord } from '../test/fakes/graph/index';

/** A directory user as the source hands it to the reconcile path. */
export function sourceObjectOf(record: UserRecord): SourceObject {
  const { id, ...attributes } = record;
  return { id, type: 'user', attributes };
}

/** The resources scimflow creates for these users: the default mappings, on create. */
export function createResources(records: readonly UserRecord[]): ScimResource[] {
  return records.map((record) => mapToTarget(sourceObjectOf(record), DEFAULT_USER_MAPPINGS, { operation: 'create' }).resource);
}

/** Runs `write` over `items` at `concurrency`, reporting the count done; returns the seconds it took. */
export async function rawLoop<T>(
  items: readonly T[],
  concurrency: number,
  write: (item: T) => Promise<unknown>,
  onProgress?: (done: number) => void,
): Promise<number> {
  let done = 0;
  const started = performance.now();
  await pMap(
    items,
    async (item) => {
      await write(item);
      onProgress?.(++done);
    },
    { concurrency },
  );
  return (performance.now() - started) / 1000;
}

/** Creates the users; returns the seconds it took and their target ids, in the order of `resources`. */
export async function rawCreateUsers(options: {
  client: ScimClient;
  resources: readonly ScimResource[];
  concurrency: number;
  onProgress?: (created: number) => void;
}): Promise<{ seconds: number; targetIds: string[] }> {
  const targetIds: string[] = [];
  const indexed = options.resources.map((resource, index) => ({ resource, index }));
  const seconds = await rawLoop(
    indexed,
    options.concurrency,
    async ({ resource, index }) => {
      targetIds[index] = String((await options.client.createUser(resource)).id);
    },
    options.onProgress,
  );
  return { seconds, targetIds };
}
