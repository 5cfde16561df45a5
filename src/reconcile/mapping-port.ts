/**
 * Binds an app's attribute mappings to the reconcile path: source object → desired target
 * values, target resource → held values, and the PATCH between two sets of values.
 */
import {
  diffToPatch,
  formatPath,
  mapToTarget,
  parsePath,
  readManagedValues,
  type MappedValue,
  type TargetValue,
} from '../mapping/index';
import type { AttributeMapping } from '../mapping/schema';
import type { ManagedValues } from './plan';
import type { MappingPort } from './reconcile';

function toHeld(values: ManagedValues): Map<string, TargetValue> {
  const held = new Map<string, TargetValue>();
  for (const [path, value] of Object.entries(values)) if (value !== null && value !== undefined) held.set(path, value as TargetValue);
  return held;
}

function toDesired(values: ManagedValues): Map<string, MappedValue> {
  const desired = new Map<string, MappedValue>();
  for (const [path, value] of Object.entries(values)) desired.set(path, value === null ? { kind: 'clear' } : { kind: 'value', value: value as TargetValue });
  return desired;
}

/** Whether mapped values ask for an inactive account (`active` false, or the string "False"). */
function activeOf(values: ManagedValues): boolean {
  const entry = Object.entries(values).find(([path]) => path.toLowerCase() === 'active');
  const value = entry?.[1];
  return !(value === false || (typeof value === 'string' && value.toLowerCase() === 'false'));
}

export function createMappingPort(mappings: readonly AttributeMapping[]): MappingPort {
  const paths = mappings.map((m) => formatPath(parsePath(m.target)));
  const matchingPaths = mappings
    .filter((m) => m.matchingPrecedence !== undefined)
    .sort((a, b) => a.matchingPrecedence! - b.matchingPrecedence!)
    .map((m) => formatPath(parsePath(m.target)));
  return {
    paths,
    matchingPaths,
    map(source, operation) {
      const mapped = mapToTarget(source, mappings, { operation });
      const values: ManagedValues = {};
      for (const [path, value] of mapped.values) values[path] = value.kind === 'clear' ? null : value.value;
      return { resource: mapped.resource, values, active: activeOf(values), matching: mapped.matching };
    },
    read: (resource, paths) => Object.fromEntries(readManagedValues(resource, paths)),
    diff(previous, desired) {
      const plan = diffToPatch(toHeld(previous), toDesired(desired));
      return { operations: plan.operations, changes: plan.changes.map((change) => ({ name: change.path, old: change.old ?? null, new: change.new ?? null })) };
    },
  };
}
