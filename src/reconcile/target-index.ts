/**
 * An in-memory index of a target's accounts by their matching values, built from one paged
 * listing, so that matching costs no request per object, and kept current by scimflow's own
 * writes (`put`, `remove`). String values compare case-insensitively, as SCIM's `userName` does:
 * a looser match links rather than duplicates.
 *
 * While `full`, it holds every managed value of each account (an initial round plans updates
 * from them without reading an account again); `compact()` keeps only the matching values, for
 * an index kept between cycles.
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

function indexable(value: unknown): boolean {
  return value !== undefined && value !== null && !Array.isArray(value) && typeof value !== 'object';
}

/** A match in an index; `values` are all the account's managed values only when the index is full. */
export type IndexMatch = MatchResult & { complete?: boolean };

export class TargetIndex {
  private readonly byPath = new Map<string, Map<string, IndexedAccount[]>>();
  private readonly byId = new Map<string, IndexedAccount>();
  /** When the listing it was built from started (ms since the epoch). */
  readonly builtAt: number;
  private isFull: boolean;

  /**
   * @param matchingPaths the target paths accounts are matched on (formatted, e.g. `userName`)
   * @param read reads the managed values of a resource (kept instead of the whole resource)
   */
  constructor(
    readonly matchingPaths: readonly string[],
    private readonly read: (resource: ScimResource) => ManagedValues,
    options: { full?: boolean; builtAt?: number } = {},
  ) {
    for (const path of matchingPaths) this.byPath.set(path, new Map());
    this.isFull = options.full ?? true;
    this.builtAt = options.builtAt ?? Date.now();
  }

  get size(): number {
    return this.byId.size;
  }

  get full(): boolean {
    return this.isFull;
  }

  /** An account of the listing. */
  add(resource: ScimResource): void {
    if (!resource.id) return;
    this.put(resource.id, this.read(resource));
  }

  /** An account as scimflow just wrote it (created, or updated with these values), replacing what was held of it. */
  put(id: string, values: ManagedValues): void {
    this.remove(id);
    const held = this.isFull ? { ...values } : this.matchingOnly(values);
    const account = { id, values: held };
    this.byId.set(id, account);
    for (const path of this.matchingPaths) {
      const value = held[path];
      if (!indexable(value)) continue;
      const bucket = this.byPath.get(path)!;
      const k = key(value);
      const list = bucket.get(k);
      if (list) list.push(account);
      else bucket.set(k, [account]);
    }
  }

  /** An account scimflow just deleted. */
  remove(id: string): void {
    const account = this.byId.get(id);
    if (!account) return;
    this.byId.delete(id);
    for (const path of this.matchingPaths) {
      const value = account.values[path];
      if (!indexable(value)) continue;
      const bucket = this.byPath.get(path)!;
      const k = key(value);
      const rest = (bucket.get(k) ?? []).filter((a) => a !== account);
      if (rest.length > 0) bucket.set(k, rest);
      else bucket.delete(k);
    }
  }

  /** Keeps only the matching values of each account, to hold the index between cycles. */
  compact(): void {
    if (!this.isFull) return;
    this.isFull = false;
    for (const account of this.byId.values()) account.values = this.matchingOnly(account.values);
  }

  /** Whether some account holds `value` at `path`; undefined when the index does not hold `path`. */
  holds(path: string, value: string | number | boolean): boolean | undefined {
    const bucket = this.byPath.get(path);
    return bucket && (bucket.get(key(value))?.length ?? 0) > 0;
  }

  /** Matches like a filter query per matching value in precedence order: first hit wins. */
  match(matching: { path: string; value: string | number | boolean }[]): IndexMatch {
    for (const { path, value } of matching) {
      const bucket = this.byPath.get(path);
      if (!bucket) continue;
      const found = bucket.get(key(value)) ?? [];
      if (found.length > 1) return { kind: 'many', path, count: found.length };
      const [only] = found;
      if (only) return { kind: 'one', targetId: only.id, path, values: only.values, complete: this.isFull };
    }
    return { kind: 'none' };
  }

  private matchingOnly(values: ManagedValues): ManagedValues {
    const kept: ManagedValues = {};
    for (const path of this.matchingPaths) if (path in values) kept[path] = values[path];
    return kept;
  }
}
