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
  return toSourceObject(item, 'user', select);
}

/**
 * Normalises one Graph group like a user (see `toSourceUser`). Relationships are not attributes:
 * `members@delta` (read by `toGroupDelta`) is dropped, and `members` in `select` is ignored.
 */
export function toSourceGroup(item: GraphItem, select?: readonly string[]): SourceObject {
  return toSourceObject(item, 'group', select?.filter((property) => !GROUP_RELATIONSHIPS.has(property)), GROUP_RELATIONSHIPS);
}

/** Group relationships a `$select` may name; delta rounds report their changes as `{name}@delta`. */
const GROUP_RELATIONSHIPS = new Set(['members', 'owners']);

function toSourceObject(item: GraphItem, type: ObjectType, select: readonly string[] | undefined, relationships?: ReadonlySet<string>): SourceObject {
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
