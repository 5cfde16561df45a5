/**
 * Rate budgets shared through the store's board: this worker's share, the wait before taking up
 * a budget others use, and pauses passed both ways. The other worker is played by writing to the
 * board as it would; the three-process run is test/e2e/shared-budget.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log/index';
import { openDatabase, type Store } from '../store/index';
import { rateBudgetFor } from './rate-budget';
import { shareRateBudgets, type BudgetBoard, type SharedBudgets } from './shared-budgets';

let store: Store;
const running: SharedBudgets[] = [];

beforeAll(async () => {
  store = await openDatabase();
});

afterEach(async () => {
  for (const shared of running.splice(0)) await shared.stop();
});

afterAll(async () => {
  await store?.close();
});

const WINDOW_MS = 2000;
const INTERVAL_MS = 200;

function share(board: BudgetBoard = store.rateBudgets): SharedBudgets {
  const shared = shareRateBudgets({ board, logger: createLogger({ level: 'silent' }), intervalMs: INTERVAL_MS, windowMs: WINDOW_MS });
  running.push(shared);
  return shared;
}

describe('the board', () => {
  it('counts the workers seen within the window, and keeps the longest pause', async () => {
    const app = randomUUID();
    expect(await store.rateBudgets.beat('w1', [app], WINDOW_MS)).toEqual(new Map([[app, { members: 1, pausedForMs: 0 }]]));
    await store.rateBudgets.beat('w2', [app], WINDOW_MS);
    await store.rateBudgets.pause(app, 5000);
    await store.rateBudgets.pause(app, 1000);
    const view = (await store.rateBudgets.beat('w1', [app], WINDOW_MS)).get(app)!;
    expect(view.members).toBe(2);
    expect(view.pausedForMs).toBeGreaterThan(4000);
    expect(view.pausedForMs).toBeLessThanOrEqual(5000);
    // A window that ended before the beats counts only the worker that asks.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await store.rateBudgets.beat('w1', [app], 50)).get(app)!.members).toBe(1);
    await store.rateBudgets.prune(0);
    expect(await store.db.selectFrom('rate_budget_members').where('app_id', '=', app).selectAll().execute()).toEqual([]);
  });
});

describe('a shared budget', () => {
  it('alone, takes the whole budget, and is marked on the board', async () => {
    share();
    const app = randomUUID();
    const budget = rateBudgetFor(app, { requestsPerSecond: 10, burst: 10, concurrency: 4 });
    (await budget.acquire()).release();
    expect(budget.share).toMatchObject({ members: 1, burst: 10, concurrency: 4 });
    expect((await store.rateBudgets.beat('the-other-worker', [app], WINDOW_MS)).get(app)!.members).toBe(2);
  });

  it('used by another worker too, takes its share and waits a beat before its first request', async () => {
    share();
    const app = randomUUID();
    await store.rateBudgets.beat('the-other-worker', [app], WINDOW_MS);
    const budget = rateBudgetFor(app, { requestsPerSecond: 10, burst: 10, concurrency: 4 });
    const started = performance.now();
    (await budget.acquire()).release();
    expect(performance.now() - started).toBeGreaterThanOrEqual(INTERVAL_MS - 5);
    expect(budget.share).toEqual({ requestsPerSecond: 5, burst: 5, concurrency: 2, members: 2 });
  });

  it('passes a Retry-After on to the board, and waits out one another worker was told', async () => {
    share();
    const app = randomUUID();
    const budget = rateBudgetFor(app, {});
    (await budget.acquire()).release({ throttled: true, retryAfterMs: 3000 });
    await expect
      .poll(async () => (await store.rateBudgets.beat('the-other-worker', [app], WINDOW_MS)).get(app)!.pausedForMs)
      .toBeGreaterThan(2000);

    const other = randomUUID();
    const second = rateBudgetFor(other, {});
    (await second.acquire()).release();
    await store.rateBudgets.pause(other, 4000);
    await expect.poll(() => second.pausedForMs(), { timeout: 2000 }).toBeGreaterThan(3000);
  });

  it('goes on with the share it knew when the board cannot be reached', async () => {
    const broken: BudgetBoard = {
      beat: () => Promise.reject(new Error('connection refused')),
      pause: () => Promise.reject(new Error('connection refused')),
      prune: () => Promise.resolve(),
    };
    share(broken);
    const app = randomUUID();
    const budget = rateBudgetFor(app, { requestsPerSecond: 100 });
    for (let i = 0; i < 5; i += 1) (await budget.acquire()).release({ throttled: true, retryAfterMs: 0 });
    expect(budget.share.members).toBe(1);
  });
});
