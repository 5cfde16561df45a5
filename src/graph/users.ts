/** Reading users: full listings, delta rounds, and specific users by id. */
import { ProvisioningError } from '../errors/index';
import type { SourceObject, SourcePage } from '../source/index';
import { toSourceUser } from './normalize';
import { graphPath, readByIds, type GraphCollection, type GraphItem, type GraphReader } from './reader';

export { MAX_FILTER_IDS } from './reader';

export interface UserQuery {
  /** `$select` list (always includes `id` and `accountEnabled`); `manager` is a relationship, expanded on reads. */
  select: readonly string[];
  /** `$top` of full listings. */
  pageSize: number;
}

/**
 * The query options of a read that is not a delta round: the selected properties, and the
 * manager relationship through `$expand` (delta rounds select it instead and get `manager@delta`).
 */
function readOptions(query: UserQuery): { $select: string; $expand?: string } {
  const properties = query.select.filter((property) => property !== 'manager');
  return { $select: properties.join(','), ...(properties.length !== query.select.length && { $expand: 'manager($select=id)' }) };
}

/** One page of a full listing of users. */
export async function readUsersPage(reader: GraphReader, query: UserQuery, link?: string): Promise<SourcePage> {
  const page = await reader.get(link ?? graphPath('/users', { ...readOptions(query), $top: query.pageSize }));
  return toSourcePage(page, query.select);
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
  const { $select, $expand } = readOptions(query);
  return (await readByIds(reader, '/users', $select.split(','), ids, $expand)).map((item) => toSourceUser(item, query.select));
}

/** One user's current attributes, or undefined when Graph does not know it (404). */
export async function readUser(reader: GraphReader, query: UserQuery, id: string): Promise<SourceObject | undefined> {
  try {
    const item = await reader.get<GraphItem>(graphPath(`/users/${encodeURIComponent(id)}`, readOptions(query)));
    return toSourceUser(item, query.select);
  } catch (error) {
    if (error instanceof ProvisioningError && error.code === 'NotFound') return undefined;
    throw error;
  }
}
