/** Graph user JSON → the SourceObject the reconcile path reads. */
import type { SourceObject, SourceValue } from '../source/index';
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
  if (typeof item.id !== 'string') throw new TypeError('Graph object without an id');
  const removed = removalReason(item['@removed']);
  if (removed) return { id: item.id, type: 'user', attributes: {}, removed };
  const attributes: Record<string, SourceValue> = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === 'id' || key.startsWith('@')) continue;
    attributes[key] = value as SourceValue;
  }
  const partial = select?.some((property) => property !== 'id' && !(property in attributes)) ?? false;
  return { id: item.id, type: 'user', attributes, ...(partial && { partial }) };
}

function removalReason(value: unknown): SourceObject['removed'] {
  if (value === undefined || value === null || typeof value !== 'object') return undefined;
  // Graph documents "changed" (soft delete, restorable) and "deleted" (permanent); treat
  // anything else as the safer "changed".
  return (value as { reason?: unknown }).reason === 'deleted' ? 'deleted' : 'changed';
}
