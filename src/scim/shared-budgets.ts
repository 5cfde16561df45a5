/**
 * One rate budget per app across every worker process: each worker keeps its own token bucket
 * (`rate-budget.ts`), sized to its share of the app's limits, and a board in the database all
 * workers reach (`store.rateBudgets`) says how many workers use each app's budget and passes a
 * target's Retry-After on to all of them.
 *
 * - Every second, a worker marks the budgets it used within the last five seconds and reads back
 *   how many workers used each (its share is the app's limits divided by that count) and what is
 *   left of a pause another worker was told to make.
 * - A worker that takes up a budget it was not using marks it at once. When others use it too,
 *   it waits one more beat before its first request, so the others have shrunk to their new
 *   share before it sends.
 * - A request throttled with Retry-After pauses the budget here at once, and on the board for
 *   the others, who pause within a beat.
 * - When the board cannot be reached, each worker goes on with the share it knew last.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/index';
import { watchBudgets, type RateBudget } from './rate-budget';

/** What the database keeps for the shared budgets (store.rateBudgets). */
export interface BudgetBoard {
  beat(workerId: string, appIds: string[], windowMs: number): Promise<Map<string, { members: number; pausedForMs: number }>>;
  pause(appId: string, ms: number): Promise<void>;
  prune(olderThanMs: number): Promise<void>;
}

export interface SharedBudgetsOptions {
  board: BudgetBoard;
  logger: Logger;
  /** How often the board is read and written. Default 1 s. */
  intervalMs?: number;
  /** A worker that used a budget within this window counts as one of its members. Default 5 s. */
  windowMs?: number;
  workerId?: string;
}

export interface SharedBudgets {
  workerId: string;
  /** One beat now (tests, and a worker taking up a budget). */
  beat(): Promise<void>;
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;
const FORGET_AFTER_MS = 60 * 60_000;

/** Shares this process's rate budgets (those made from now on too) with the other workers on `board`. */
export function shareRateBudgets(options: SharedBudgetsOptions): SharedBudgets {
  const intervalMs = options.intervalMs ?? 1000;
  const windowMs = options.windowMs ?? 5000;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const { board, logger } = options;
  /** Apps this worker is a marked member of, with when that was last written (performance.now()). */
  const members = new Map<string, number>();
  const joining = new Map<string, Promise<void>>();
  let beating: Promise<void> | undefined;
  let lastPrune = performance.now();
  let warned = false;

  let budgets: ReadonlyMap<string, RateBudget> = new Map();
  const inUse = (budget: RateBudget) => budget.active > 0 || performance.now() - budget.lastAskedAt < windowMs;

  async function beatOnce(extra?: string): Promise<Map<string, number>> {
    const ids = [...budgets].filter(([appId, budget]) => appId === extra || inUse(budget)).map(([appId]) => appId);
    for (const appId of members.keys()) if (!ids.includes(appId)) members.delete(appId);
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    try {
      const views = await board.beat(workerId, ids, windowMs);
      const now = performance.now();
      for (const [appId, view] of views) {
        const budget = budgets.get(appId);
        if (!budget) continue;
        members.set(appId, now);
        counts.set(appId, view.members);
        budget.shareWith(view.members);
        // Another worker's target asked for a pause: this worker waits it out too.
        if (view.pausedForMs > budget.pausedForMs() + 50) budget.pause(view.pausedForMs);
      }
      if (now - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = now;
        await board.prune(FORGET_AFTER_MS);
      }
      warned = false;
    } catch (error) {
      // Tried again on the next beat, not on every request meanwhile.
      for (const appId of ids) members.set(appId, performance.now());
      if (!warned)
        logger.warn(
          { err: { message: error instanceof Error ? error.message : String(error) } },
          'the shared rate budgets could not be read; each worker keeps the share it knew last',
        );
      warned = true;
    }
    return counts;
  }

  function beat(extra?: string): Promise<Map<string, number>> {
    // One beat at a time; a beat never rejects (the board's failures are caught in it).
    const run = (beating ?? Promise.resolve()).then(() => beatOnce(extra));
    beating = run.then(() => undefined);
    return run;
  }

  function admit(appId: string): Promise<void> {
    const markedAt = members.get(appId);
    if (markedAt !== undefined && performance.now() - markedAt < windowMs) return Promise.resolve();
    let pending = joining.get(appId);
    if (!pending) {
      pending = beat(appId).then(async (counts) => {
        // Others use it too: they take their smaller share on their next beat; this one waits for it.
        if ((counts.get(appId) ?? 1) > 1) await new Promise((resolve) => setTimeout(resolve, intervalMs));
      });
      const done = () => joining.delete(appId);
      pending.then(done, done);
      joining.set(appId, pending);
    }
    return pending;
  }

  const admits = new Map<string, () => Promise<void>>();
  const attach = (appId: string, budget: RateBudget) => {
    const ours = () => admit(appId);
    admits.set(appId, ours);
    budget.admit = ours;
    budget.onThrottled = (ms) => {
      board.pause(appId, ms).catch((error: unknown) => {
        logger.warn(
          { appId, err: { message: error instanceof Error ? error.message : String(error) } },
          "a target's pause could not be passed on to the other workers",
        );
      });
    };
  };
  const watch = watchBudgets(attach);
  budgets = watch.budgets;
  for (const [appId, budget] of budgets) attach(appId, budget);

  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();

  return {
    workerId,
    beat: async () => {
      await beat();
    },
    async stop() {
      clearInterval(timer);
      watch.unwatch();
      for (const [appId, budget] of budgets) {
        if (budget.admit !== admits.get(appId)) continue;
        budget.admit = undefined;
        budget.onThrottled = undefined;
        budget.shareWith(1);
      }
      await beating;
    },
  };
}
