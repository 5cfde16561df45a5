/**
 * The real store with its repository calls watched, for engine tests: the calls in the order they
 * were made, and a crash armed at a chosen call ("the worker died here"). The crash throws before
 * the call does anything, and every later call throws too, as a worker that died writes nothing
 * more; `revive` stands for the worker that takes over.
 */
import type { Repositories, Store } from '../../src/store/index';

/** What a call throws once the worker died. */
export class WorkerDied extends Error {
  constructor(call: string) {
    super(`the worker died at ${call}`);
    this.name = 'WorkerDied';
  }
}

/** A repository call by name: `provisioningLog.append`, `anchors.upsertMany`, `groupMembers.setExported`, `escrow.record`. */
export type StoreCall = `${keyof Repositories}.${string}`;

export interface WatchedStore {
  store: Store;
  /** Every repository call so far, oldest first. */
  calls: StoreCall[];
  /** The arguments of each call in `calls`, at the same index. */
  args: unknown[][];
  /** The worker dies at the `nth` (default 1st) call of `call` from now on. */
  crashAt(call: StoreCall, nth?: number): void;
  /** Where the worker died, if it did. */
  readonly died: StoreCall | undefined;
  /** Another worker takes over: calls go through again. */
  revive(): void;
}

const REPOSITORIES: (keyof Repositories)[] = [
  'apps',
  'anchors',
  'provisioningLog',
  'cycles',
  'syncState',
  'escrow',
  'groupMembers',
  'references',
  'roleSnapshots',
  'persons',
];

export function watchedStore(base: Store): WatchedStore {
  const calls: StoreCall[] = [];
  const args: unknown[][] = [];
  let armed: { call: StoreCall; remaining: number } | undefined;
  let died: StoreCall | undefined;

  const watch = <R extends object>(name: keyof Repositories, repository: R): R =>
    new Proxy(repository, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        const call: StoreCall = `${name}.${property}`;
        return (...given: unknown[]) => {
          calls.push(call);
          args.push(given);
          if (died === undefined && armed?.call === call && --armed.remaining === 0) {
            died = call;
            armed = undefined;
          }
          if (died !== undefined) return Promise.reject(new WorkerDied(died));
          return (value as (...a: unknown[]) => unknown).apply(target, given);
        };
      },
    });

  const store: Store = { ...base };
  for (const name of REPOSITORIES) (store as unknown as Record<string, unknown>)[name] = watch(name, base[name]);

  return {
    store,
    calls,
    args,
    crashAt(call, nth = 1) {
      armed = { call, remaining: nth };
    },
    get died() {
      return died;
    },
    revive() {
      died = undefined;
      armed = undefined;
    },
  };
}
