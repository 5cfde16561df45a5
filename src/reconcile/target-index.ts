/**
 * An in-memory index of a target's accounts by their matching values, built from one paged
 * listing at the start of an initial cycle, so that matching costs no request per object.
 * String values compare case-insensitively, as SCIM's `userName` does: a looser match links
 * rather than duplicates.
 */
import type { ScimResource } from '../scim/types';
import type { ManagedValues, MatchResult } from './plan';

interface IndexedAccount {
  id: string;
  values: ManagedValues;
}

function key(value: unknown): string {
  return typeof value === 'string' ? `s:${value.toLowerCase()}` : `${typeof value}:${String(value)}`;
}

export class TargetIndex {
  private readonly byPath = new Map<string, Map<string, IndexedAccount[]>>();
  size = 0;

  /**
   * @param matchingPaths the target paths accounts are matched on (formatted, e.g. `userName`)
   * @param read reads the managed values of a resource (kept instead of the whole resource)
   */
  constructor(
    private readonly matchingPaths: string[],
    private readonly read: (resource: ScimResource) => ManagedValues,
  ) {
    for (const path of matchingPaths) this.byPath.set(path, new Map());
  }

  add(resource: ScimResource): void {
    if (!resource.id) return;
    const values = this.read(resource);
    const account = { id: resource.id, values };
    this.size += 1;
    for (const path of this.matchingPaths) {
      const value = values[path];
      if (value === undefined || value === null || Array.isArray(value)) continue;
      const bucket = this.byPath.get(path)!;
      const k = key(value);
      const list = bucket.get(k);
      if (list) list.push(account);
      else bucket.set(k, [account]);
    }
  }

  /** Matches like a filter query per matching value in precedence order: first hit wins. */
  match(matching: { path: string; value: string | number | boolean }[]): MatchResult {
    for (const { path, value } of matching) {
      const bucket = this.byPath.get(path);
      if (!bucket) continue;
      const found = bucket.get(key(value)) ?? [];
      if (found.length > 1) return { kind: 'many', path, count: found.length };
      const [only] = found;
      if (only) return { kind: 'one', targetId: only.id, path, values: only.values };
    }
    return { kind: 'none' };
  }
}
