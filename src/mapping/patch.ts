/** The minimal RFC 7644 PATCH that brings a target's managed values to the desired ones. */
import type { PatchOperation, ScimResource } from '../scim/types';
import { getValue, setValue } from './access';
import type { MappedValue } from './map';
import { attributeOf, elementKey, formatPath, parentPath, parsePath, type AttributePath, type ValueFilter } from './path';
import { holdsValue, isEmptyValue, isScalar, toComplexValue, type TargetValue } from './values';

/** One managed value that changes: a provisioning-log "modified property". */
export interface ValueChange {
  path: string;
  old: TargetValue | undefined;
  new: TargetValue | undefined;
}

export interface PatchPlan {
  /** Empty when the target already holds the desired values (a redundant export). */
  operations: PatchOperation[];
  changes: ValueChange[];
}

type FilteredPath = AttributePath & { filter: ValueFilter };

function isFiltered(path: AttributePath): path is FilteredPath {
  return path.filter !== undefined;
}

/**
 * Compares what the target holds for the managed paths with what the mappings want and returns
 * operations for the changed paths only:
 * - a plain, sub-attribute or extension path: `replace` it, or `remove` it when cleared;
 * - a multi-valued complex attribute written whole (`roles` from AppRoleAssignmentsComplex):
 *   `replace` it with the full desired list, or `remove` it when cleared. The elements compare
 *   as a set, on the sub-attributes the mapping writes, so the same roles in another order, or
 *   with sub-attributes the target added, are no change;
 * - a filtered path whose element the target holds: `replace` the filter path;
 * - a filtered path whose element is new: `add` the element to the multi-valued attribute
 *   (`{ op: 'add', path: 'emails', value: [{ type: 'work', value }] }`), one element per filter
 *   even when several sub-attributes of it are new;
 * - a cleared filtered path: `remove` the element, or only the sub-attribute when other desired
 *   values stay in that element.
 *
 * @param previous what the target holds (see {@link readManagedValues}) or what was last
 *   exported; undefined when it holds none of them.
 * @param desired what the mappings ask for ({@link mapToTarget}'s `values`).
 */
export function diffToPatch(previous: ReadonlyMap<string, TargetValue> | undefined, desired: ReadonlyMap<string, MappedValue>): PatchPlan {
  const held = previous ?? new Map<string, TargetValue>();
  const heldElements = new Set<string>();
  for (const [text, value] of held) if (!isEmptyValue(value)) heldElements.add(elementKey(parsePath(text)));
  const keptElements = new Set<string>();
  for (const [text, mapped] of desired) if (mapped.kind === 'value') keptElements.add(elementKey(parsePath(text)));

  const operations: PatchOperation[] = [];
  const changes: ValueChange[] = [];
  // New elements are built on a scratch resource, so that sub-attributes of one element merge.
  const added: ScimResource = { schemas: [] };
  const addedElements = new Set<string>();
  const removedElements = new Set<string>();

  for (const [text, mapped] of desired) {
    const old = held.get(text);
    const value = mapped.kind === 'value' ? mapped.value : undefined;
    if (holdsValue(old, value)) continue;
    changes.push({ path: text, old, new: value });
    const path = parsePath(text);
    const element = elementKey(path);

    if (value === undefined) {
      if (!isFiltered(path) || keptElements.has(element)) {
        operations.push({ op: 'remove', path: formatPath(path) });
      } else if (!removedElements.has(element)) {
        removedElements.add(element);
        operations.push({ op: 'remove', path: formatPath(parentPath(path)) });
      }
    } else if (isFiltered(path) && !heldElements.has(element)) {
      setValue(added, path, value);
      if (!addedElements.has(element)) {
        addedElements.add(element);
        operations.push({ op: 'add', path: formatPath(attributeOf(path)), value: [getValue(added, parentPath(path))] });
      }
    } else {
      // A whole multi-valued complex attribute is replaced with the full desired list rather
      // than patched element by element (`add` of new roles, `remove` of `roles[value eq "x"]`):
      // RFC 7644 §3.5.2.3 defines the replace of a multi-valued attribute without filter as
      // "all values are replaced", so one operation leaves exactly the desired set whatever the
      // target held (a stale anchor, roles added in the app, a changed display name of a kept
      // value), needs no filter support in PATCH paths, and never duplicates an element.
      operations.push({ op: 'replace', path: formatPath(path), value });
    }
  }
  return { operations, changes };
}

/**
 * What a target resource holds at the given paths, for comparing a matched account with the
 * desired values. A multi-valued complex attribute (`roles`) reads as its elements with their
 * scalar sub-attributes, the target's own included ({@link holdsValue} ignores those). Paths
 * without a value, or holding a single complex value or a mix, are left out.
 */
export function readManagedValues(resource: ScimResource, paths: Iterable<string>): Map<string, TargetValue> {
  const values = new Map<string, TargetValue>();
  for (const path of paths) {
    const value = getValue(resource, path);
    if (isEmptyValue(value)) continue;
    if (isScalar(value)) values.set(path, value);
    else if (Array.isArray(value) && value.every(isScalar)) values.set(path, value);
    else if (Array.isArray(value)) {
      const elements = value.map(toComplexValue);
      if (elements.every((element) => element !== undefined)) values.set(path, elements);
    }
  }
  return values;
}
