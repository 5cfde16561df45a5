/**
 * The baseline: the same creates, sent by a plain loop with the same SCIM client and the same
 * concurrency, and nothing else (no source reads, no matching, no store, no workflow). Its
 * users per second are what the target itself allows on this machine.
 */
import pMap from 'p-map';
import { DEFAULT_USER_MAPPINGS, mapToTarget } from '../src/mapping/index';
import { ScimClient, type ScimResource } from '../src/scim/index';
import type { SourceObject } from '../src/source/index';
import type { UserRecord } from '../test/fakes/graph/index';
import { countRequest, emptyTally, type ScimTally } from './scim-tally';

/** A directory user as the source hands it to the reconcile path. */
export function sourceObjectOf(record: UserRecord): SourceObject {
  const { id, ...attributes } = record;
  return { id, type: 'user', attributes };
}

/** The resources scimflow creates for these users: the default mappings, on create. */
export function createResources(records: readonly UserRecord[]): ScimResource[] {
  return records.map((record) => mapToTarget(sourceObjectOf(record), DEFAULT_USER_MAPPINGS, { operation: 'create' }).resource);
}

export interface RawLoopResult {
  seconds: number;
  scim: ScimTally;
}

export async function rawCreateLoop(options: {
  baseUrl: string;
  token: string;
  resources: readonly ScimResource[];
  concurrency: number;
  onProgress?: (created: number) => void;
}): Promise<RawLoopResult> {
  const scim = emptyTally();
  const header = `Bearer ${options.token}`;
  const client = new ScimClient({ baseUrl: options.baseUrl, authorization: () => header, onRequest: (info) => countRequest(scim, info) });
  let created = 0;
  const started = performance.now();
  await pMap(
    options.resources,
    async (resource) => {
      await client.createUser(resource);
      options.onProgress?.(++created);
    },
    { concurrency: options.concurrency },
  );
  return { seconds: (performance.now() - started) / 1000, scim };
}
