/** Graph user and group JSON → the SourceObject the reconcile path reads. */
import type { ObjectType, SourceObject, SourceValue } from '../source/index';
import type { GraphItem } from './reader';

/**
 * Normalises one Graph user: `id` becomes the object id, instance annotations (`@odata.type`,
 * `@removed`, ...) are dropped, every other property is kept as is (null stays null, absent
 * stays absent). `@removed` becomes `removed`.
 *
 * @param select the properties the request selected: an object lacking any of them is marked
 *   `partial` (delta rounds after the first carry only what changed).
 */
export function toSourceUser(item: GraphItem, select?: readonly string[]): SourceObject {
  const object = toSourceObject(
    item,
    'user',
    select?.filter((property) => !USER_RELATIONSHIPS.has(property)),
    USER_RELATIONSHIPS,
  );
  if (object.removed) return object;
  // The manager relationship as the manager's object id: `manager@delta` on delta rounds,
  // `manager` with `$expand=manager($select=id)` elsewhere; a removed manager is null.
  const manager = managerOf(item);
  if (manager !== undefined) object.attributes.manager = manager;
  else if (select?.includes('manager') && !object.partial) object.attributes.manager = null;
  return object;
}

/** User relationships a `$select` (delta) or `$expand` (reads) may name; they are not properties. */
const USER_RELATIONSHIPS = new Set(['manager']);

/** The manager's id an item carries: a string, null for a removed manager, undefined when the item says nothing. */
function managerOf(item: GraphItem): string | null | undefined {
  const delta = item['manager@delta'];
  if (Array.isArray(delta)) {
    const current = (delta as GraphItem[]).filter((entry) => entry && typeof entry.id === 'string' && !removalReason(entry['@removed']));
    return current.length > 0 ? current[current.length - 1]!.id : null;
  }
  const expanded = item.manager;
  if (expanded === null) return null;
  if (expanded && typeof expanded === 'object' && typeof (expanded as GraphItem).id === 'string') return (expanded as GraphItem).id;
  return undefined;
}

/**
 * Normalises one Graph group like a user (see `toSourceUser`). Relationships are not attributes:
 * `members@delta` (read by `toGroupDelta`) is dropped, and `members` in `select` is ignored.
 */
export function toSourceGroup(item: GraphItem, select?: readonly string[]): SourceObject {
  return toSourceObject(
    item,
    'group',
    select?.filter((property) => !GROUP_RELATIONSHIPS.has(property)),
    GROUP_RELATIONSHIPS,
  );
}

/** Group relationships a `$select` may name; delta rounds report their changes as `{name}@delta`. */
const GROUP_RELATIONSHIPS = new Set(['members', 'owners']);

function toSourceObject(
  item: GraphItem,
  type: ObjectType,
  select: readonly string[] | undefined,
  relationships?: ReadonlySet<string>,
): SourceObject {
  if (typeof item.id !== 'string') throw new TypeError('Graph object without an id');
  const removed = removalReason(item['@removed']);
  if (removed) return { id: item.id, type, attributes: {}, removed };
  const attributes: Record<string, SourceValue> = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === 'id' || key.startsWith('@')) continue;
    if (relationships?.has(key.replace(/@delta$/, ''))) continue;
    attributes[key] = value as SourceValue;
  }
  const partial = select?.some((property) => property !== 'id' && !(property in attributes)) ?? false;
  return { id: item.id, type, attributes, ...(partial && { partial }) };
}

/** The object type a directory object's `@odata.type` names: `user`, `group`, or `other` (device, contact, service principal, ...). */
export function memberType(odataType: unknown): MemberType {
  if (odataType === undefined || odataType === '#microsoft.graph.user') return 'user';
  if (odataType === '#microsoft.graph.group') return 'group';
  return 'other';
}

/** The object types a group member can have, as far as provisioning cares. */
export type MemberType = 'user' | 'group' | 'other';

export function removalReason(value: unknown): SourceObject['removed'] {
  if (value === undefined || value === null || typeof value !== 'object') return undefined;
  // Graph documents "changed" (soft delete, restorable) and "deleted" (permanent); treat
  // anything else as the safer "changed".
  return (value as { reason?: unknown }).reason === 'deleted' ? 'deleted' : 'changed';
}
