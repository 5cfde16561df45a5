/** Reading users: full listings, delta rounds, and specific users by id. */
import { ProvisioningError } from '../errors/index';
import type { SourceObject, SourcePage } from '../source/index';
import { toSourceUser } from './normalize';
import { graphPath, type GraphCollection, type GraphItem, type GraphReader } from './reader';

/** Graph's limit of values in an `id in (...)` filter. */
export const MAX_FILTER_IDS = 15;

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
  const unique = [...new Set(ids)];
  const users: SourceObject[] = [];
  for (let i = 0; i < unique.length; i += MAX_FILTER_IDS) {
    const chunk = unique.slice(i, i + MAX_FILTER_IDS);
    const filter = `id in (${chunk.map((id) => `'${id.replaceAll("'", "''")}'`).join(',')})`;
    const items = await reader.all(graphPath('/users', { $filter: filter, $select: query.select.join(',') }));
    users.push(...items.map((item) => toSourceUser(item)));
  }
  return users;
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
