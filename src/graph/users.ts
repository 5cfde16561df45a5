/** Reading users: full listings, delta rounds, and specific users by id. */
import { ProvisioningError } from '../errors/index';
import type { SourceObject, SourcePage } from '../source/index';
import { toSourceUser } from './normalize';
import { graphPath, readByIds, type GraphCollection, type GraphItem, type GraphReader } from './reader';

export { MAX_FILTER_IDS } from './reader';

export interface UserQuery {
  /** `$select` list (always includes `id` and `accountEnabled`). */
  select: readonly string[];
  /** `$top` of full listings. */
  pageSize: number;
}

/** One page of a full listing of users. */
export async function readUsersPage(reader: GraphReader, query: UserQuery, link?: string): Promise<SourcePage> {
  const page = await reader.get(link ?? graphPath('/users', { $select: query.select.join(','), $top: query.pageSize }));
  return toSourcePage(page);
}

/**
 * One page of a delta round. `Prefer: return=minimal` asks Graph for the changed properties
 * only on later rounds, so an absent property reliably means "unchanged"; such objects come
 * back `partial`.
 */
export async function readUsersDeltaPage(reader: GraphReader, query: UserQuery, link?: string): Promise<SourcePage> {
  const page = await reader.get(link ?? graphPath('/users/delta', { $select: query.select.join(',') }), {
    delta: true,
    headers: { Prefer: 'return=minimal' },
  });
  return toSourcePage(page, query.select);
}

function toSourcePage(page: GraphCollection, select?: readonly string[]): SourcePage {
  return {
    objects: page.value.map((item) => toSourceUser(item, select)),
    ...(page['@odata.nextLink'] && { nextLink: page['@odata.nextLink'] }),
    ...(page['@odata.deltaLink'] && { deltaLink: page['@odata.deltaLink'] }),
  };
}

/** Current attributes of the given users, read in `id in (...)` chunks; unknown or deleted ids are absent. */
export async function readUsersById(reader: GraphReader, query: UserQuery, ids: readonly string[]): Promise<SourceObject[]> {
  return (await readByIds(reader, '/users', query.select, ids)).map((item) => toSourceUser(item));
}

/** One user's current attributes, or undefined when Graph does not know it (404). */
export async function readUser(reader: GraphReader, query: UserQuery, id: string): Promise<SourceObject | undefined> {
  try {
    const item = await reader.get<GraphItem>(graphPath(`/users/${encodeURIComponent(id)}`, { $select: query.select.join(',') }));
    return toSourceUser(item);
  } catch (error) {
    if (error instanceof ProvisioningError && error.code === 'NotFound') return undefined;
    throw error;
  }
}
