/**
 * Values computed once per cycle and worker (the assigned users, a listing of the target): the
 * first caller starts the work, later callers share it, a failure is forgotten so the next
 * caller tries again, and the oldest entries go once there are more than `size`.
 */
export interface CycleCache<T> {
  get(key: string, compute: () => Promise<T>): Promise<T>;
  delete(key: string): void;
}

export function cycleCache<T>(size: number): CycleCache<T> {
  const entries = new Map<string, Promise<T>>();
  return {
    get(key, compute) {
      let value = entries.get(key);
      if (!value) {
        value = compute();
        entries.set(key, value);
        value.catch(() => entries.delete(key));
        if (entries.size > size) entries.delete(entries.keys().next().value!);
      }
      return value;
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
