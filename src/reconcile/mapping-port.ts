/**
 * Binds an app's attribute mappings to the reconcile path: source object → desired target
 * values, target resource → held values, and the PATCH between two sets of values.
 */
import {
  diffToPatch,
  formatPath,
  mapToTarget,
  parsePath,
  withUniqueValue,
  type MappedTarget,
  readManagedValues,
  type MappedValue,
  type TargetValue,
} from '../mapping/index';
import type { AttributeMapping } from '../mapping/schema';
import type { SourceObject } from '../source/index';
import type { DesiredTarget, ManagedValues } from './plan';
import type { MappingPort } from './reconcile';

function toHeld(values: ManagedValues): Map<string, TargetValue> {
  const held = new Map<string, TargetValue>();
  for (const [path, value] of Object.entries(values)) if (value !== null && value !== undefined) held.set(path, value as TargetValue);
  return held;
}

function toDesired(values: ManagedValues): Map<string, MappedValue> {
  const desired = new Map<string, MappedValue>();
  for (const [path, value] of Object.entries(values))
    desired.set(path, value === null ? { kind: 'clear' } : { kind: 'value', value: value as TargetValue });
  return desired;
}

/** Whether mapped values ask for an inactive account (`active` false, or the string "False"). */
function activeOf(values: ManagedValues): boolean {
  const entry = Object.entries(values).find(([path]) => path.toLowerCase() === 'active');
  const value = entry?.[1];
  return !(value === false || (typeof value === 'string' && value.toLowerCase() === 'false'));
}

/** The clock and random source expressions may use (Now, Guid, RandomString): the caller's, never the pure core's. */
export interface MappingEnvironment {
  now: () => Date;
  random: () => number;
}

/**
 * The source as mappings read it: Graph's `id` is also `objectId`, the name Entra's mappings use
 * (e.g. `objectId` → `externalId` for groups), unless the source has an attribute of that name.
 */
function withObjectId(source: SourceObject): SourceObject {
  return 'objectId' in source.attributes ? source : { ...source, attributes: { objectId: source.id, ...source.attributes } };
}

/** `coreSchema`: the resource's core schema (SCIM core User by default, core Group for groups). */
export function createMappingPort(
  mappings: readonly AttributeMapping[],
  environment: MappingEnvironment,
  options: { coreSchema?: string } = {},
): MappingPort {
  const paths = mappings.map((m) => formatPath(parsePath(m.target)));
  const matchingPaths = mappings
    .filter((m) => m.matchingPrecedence !== undefined)
    .sort((a, b) => a.matchingPrecedence! - b.matchingPrecedence!)
    .map((m) => formatPath(parsePath(m.target)));
  /** The mapping results behind desired targets, for choosing unique values later. */
  const mappedOf = new WeakMap<DesiredTarget, MappedTarget>();

  const toDesiredTarget = (mapped: MappedTarget): DesiredTarget & { matching: MappedTarget['matching'] } => {
    const values: ManagedValues = {};
    for (const [path, value] of mapped.values) values[path] = value.kind === 'clear' ? null : value.value;
    const desired = {
      resource: mapped.resource,
      values,
      active: activeOf(values),
      matching: mapped.matching,
      ...(mapped.unique.size > 0 && { unique: Object.fromEntries(mapped.unique) }),
      ...(mapped.redacted.size > 0 && { redacted: [...mapped.redacted] }),
      ...(mapped.defaults.size > 0 && { defaults: Object.fromEntries(mapped.defaults) }),
    };
    mappedOf.set(desired, mapped);
    return desired;
  };

  return {
    paths,
    matchingPaths,
    map: (source, operation) =>
      toDesiredTarget(
        mapToTarget(withObjectId(source), mappings, {
          operation,
          now: environment.now(),
          random: environment.random,
          ...(options.coreSchema && { coreSchema: options.coreSchema }),
        }),
      ),
    withUnique(desired, path, value) {
      const mapped = mappedOf.get(desired);
      if (!mapped) throw new Error('withUnique needs a desired target made by this mapping port');
      return toDesiredTarget(withUniqueValue(mapped, path, value));
    },
    read: (resource, paths) => Object.fromEntries(readManagedValues(resource, paths)),
    diff(previous, desired) {
      const plan = diffToPatch(toHeld(previous), toDesired(desired));
      return {
        operations: plan.operations,
        changes: plan.changes.map((change) => ({ name: change.path, old: change.old ?? null, new: change.new ?? null })),
      };
    },
  };
}
