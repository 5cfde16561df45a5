import { describe, expect, it } from 'vitest';
import { scimTargetSchema } from '../config/app';
import { ProvisioningError } from '../errors/index';
import { ScimClient } from './client';
import { DEFAULT_CONCURRENCY, RateBudget, rateBudgetFor, type RateBudgetClock } from './rate-budget';
import { SCHEMA_LIST_RESPONSE } from './types';

/**
 * Virtual time: `sleep` resolves only when `run` advances the clock to it. `run` lets every
 * ready continuation go, then jumps to the earliest timer, until the work settles.
 */
class FakeClock implements RateBudgetClock {
  time = 0;
  private timers: { at: number; resolve: () => void }[] = [];

  now = (): number => this.time;

  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.time + Math.max(0, ms), resolve });
    });

  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      if (settled) return work;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift();
      if (next === undefined) throw new Error(`stuck at ${this.time} ms: nothing left to wait for`);
      this.time = Math.max(this.time, next.at);
      next.resolve();
    }
  }
}

/** Takes `count` permits one after the other, releasing each at once; the virtual times they were granted. */
async function grantTimes(clock: FakeClock, budget: RateBudget, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const permit = await budget.acquire();
    times.push(clock.now());
    permit.release();
  }
  return times;
}

describe('RateBudget token bucket', () => {
  it('starts with a full burst, then grants one permit per 1/rps on the injected clock', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ requestsPerSecond: 2, burst: 3, concurrency: 64 }, clock);
    expect(await clock.run(grantTimes(clock, budget, 7))).toEqual([0, 0, 0, 500, 1000, 1500, 2000]);
  });

  it('refills up to the burst only, however long it was idle', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ requestsPerSecond: 4, burst: 2 }, clock);
    await clock.run(grantTimes(clock, budget, 2));
    clock.time = 60_000;
    expect(await clock.run(grantTimes(clock, budget, 4))).toEqual([60_000, 60_000, 60_250, 60_500]);
  });

  it('defaults the burst to one second of requests, and sets no rate without requestsPerSecond', async () => {
    expect(new RateBudget({ requestsPerSecond: 2.5 }).settings).toEqual({
      requestsPerSecond: 2.5,
      burst: 3,
      concurrency: DEFAULT_CONCURRENCY,
    });
    expect(new RateBudget({ requestsPerSecond: 0.2 }).settings).toEqual({
      requestsPerSecond: 0.2,
      burst: 1,
      concurrency: DEFAULT_CONCURRENCY,
    });
    const clock = new FakeClock();
    const unlimited = new RateBudget({}, clock);
    expect(await clock.run(grantTimes(clock, unlimited, 50))).toEqual(Array.from({ length: 50 }, () => 0));
  });

  it('grants permits in the order they were asked for', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ requestsPerSecond: 10, burst: 1, concurrency: 1 }, clock);
    const order: number[] = [];
    const all = Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const permit = await budget.acquire();
        order.push(i);
        await clock.sleep(30);
        permit.release();
      }),
    );
    await clock.run(all);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rejects settings out of range', () => {
    expect(() => new RateBudget({ requestsPerSecond: 0 })).toThrow(RangeError);
    expect(() => new RateBudget({ burst: 1.5 })).toThrow(RangeError);
    expect(() => new RateBudget({ concurrency: 0 })).toThrow(RangeError);
  });
});

describe('RateBudget shared between workers', () => {
  it('takes its share of the rate, the burst and the concurrency, and all of them again alone', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ requestsPerSecond: 20, burst: 10, concurrency: 8 }, clock);
    budget.shareWith(3);
    expect(budget.share).toEqual({ requestsPerSecond: 20 / 3, burst: 3, concurrency: 2, members: 3 });
    // The app's own settings do not change.
    expect(budget.settings).toEqual({ requestsPerSecond: 20, burst: 10, concurrency: 8 });
    // Three at once (its burst), then one every 150 ms.
    expect(await clock.run(grantTimes(clock, budget, 5))).toEqual([0, 0, 0, 150, 300]);
    budget.shareWith(1);
    expect(budget.share).toEqual({ requestsPerSecond: 20, burst: 10, concurrency: 8, members: 1 });
  });

  it('keeps at least one of each, however many share it', () => {
    const budget = new RateBudget({ requestsPerSecond: 2, burst: 2, concurrency: 2 });
    budget.shareWith(5);
    expect(budget.share).toEqual({ requestsPerSecond: 0.4, burst: 1, concurrency: 1, members: 5 });
  });

  it('waits for admit before each permit, and tells onThrottled of a Retry-After', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({}, clock);
    const told: number[] = [];
    let admitted = 0;
    budget.admit = async () => {
      admitted += 1;
    };
    budget.onThrottled = (ms) => told.push(ms);
    const permit = await clock.run(budget.acquire());
    permit.release({ throttled: true, retryAfterMs: 1500 });
    expect(admitted).toBe(1);
    expect(told).toEqual([1500]);
    expect(budget.pausedForMs()).toBe(1500);
  });
});

describe('RateBudget concurrency', () => {
  it('never has more permits out than the limit under many parallel requests, and uses all of it', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ concurrency: 3 }, clock);
    let active = 0;
    let most = 0;
    let done = 0;
    const all = Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const permit = await budget.acquire();
        active++;
        most = Math.max(most, active);
        expect(budget.active).toBe(active);
        await clock.sleep(10 + ((i * 37) % 90));
        active--;
        permit.release();
        done++;
      }),
    );
    await clock.run(all);
    expect(most).toBe(3);
    expect(done).toBe(40);
    expect(budget.active).toBe(0);
  });

  it('counts a permit released twice once', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ concurrency: 2 }, clock);
    const first = await budget.acquire();
    await budget.acquire();
    first.release();
    first.release();
    expect(budget.active).toBe(1);
  });

  it('lets waiting requests go when the limit is raised in place', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ concurrency: 1 }, clock);
    await budget.acquire();
    let granted = 0;
    const waiting = Promise.all([budget.acquire(), budget.acquire()].map((p) => p.then(() => granted++)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toBe(0);
    budget.update({ concurrency: 3 });
    await clock.run(waiting);
    expect(granted).toBe(2);
    expect(budget.active).toBe(3);
  });
});

describe('RateBudget pause', () => {
  it('holds every request until the pause ends, then restarts the bucket with one token and one request at a time', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ requestsPerSecond: 10, burst: 10, concurrency: 8 }, clock);
    budget.pause(1000);
    expect(budget.pausedForMs()).toBe(1000);
    const times: number[] = [];
    const all = Promise.all(
      Array.from({ length: 3 }, async () => {
        const permit = await budget.acquire();
        times.push(clock.now());
        await clock.sleep(50);
        permit.release({ throttled: false });
      }),
    );
    await clock.run(all);
    // The first alone (probing) and answered at 1050; then one token per 100 ms, not a burst of 10.
    expect(times).toEqual([1000, 1100, 1200]);
  });

  it('tells its onWait hook why and how long each request waited', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ requestsPerSecond: 10, burst: 1, concurrency: 1 }, clock);
    const waits: [string, number][] = [];
    budget.onWait = (reason, ms) => waits.push([reason, ms]);
    budget.pause(1000);
    const all = Promise.all(
      Array.from({ length: 2 }, async () => {
        const permit = await budget.acquire();
        await clock.sleep(50);
        permit.release({ throttled: false });
      }),
    );
    await clock.run(all);
    // The first waits out the pause; the second the first's slot (one at a time after a pause), then a token.
    expect(waits).toEqual([
      ['pause', 1000],
      ['concurrency', 50],
      ['rate', 50],
    ]);
  });

  it('only extends a pause, never shortens it', () => {
    const clock = new FakeClock();
    const budget = new RateBudget({}, clock);
    budget.pause(2000);
    budget.pause(500);
    expect(budget.pausedForMs()).toBe(2000);
    clock.time = 1000;
    budget.pause(3000);
    expect(budget.pausedForMs()).toBe(3000);
  });

  it('rejects at once, with retryAfterMs, when the pause is longer than the caller waits in place', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({}, clock);
    budget.pause(120_000);
    const error = await budget.acquire({ maxPauseMs: 60_000, label: 'GET /Users' }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ProvisioningError);
    expect(error).toMatchObject({
      kind: 'transient',
      code: 'TooManyRequests',
      retryAfterMs: 120_000,
      message: expect.stringContaining('GET /Users not sent'),
    });
    // The queue goes on after a rejection.
    clock.time = 120_000;
    expect(await clock.run(budget.acquire({ maxPauseMs: 60_000 }))).toBeDefined();
  });
});

describe('rateBudgetFor', () => {
  it('gives the same budget for the same app in one process and updates its settings in place', () => {
    const budget = rateBudgetFor('app-rate-1', { concurrency: 4 });
    expect(rateBudgetFor('app-rate-1', { concurrency: 4 })).toBe(budget);
    expect(rateBudgetFor('app-rate-2', { concurrency: 4 })).not.toBe(budget);
    expect(rateBudgetFor('app-rate-1', { requestsPerSecond: 5, concurrency: 2 })).toBe(budget);
    expect(budget.settings).toEqual({ requestsPerSecond: 5, burst: 5, concurrency: 2 });
    rateBudgetFor('app-rate-1');
    expect(budget.settings).toEqual({ burst: 1, concurrency: DEFAULT_CONCURRENCY });
  });
});

const emptyPage = JSON.stringify({ schemas: [SCHEMA_LIST_RESPONSE], totalResults: 0, Resources: [] });

/**
 * A target on the fake clock: each answer takes 100 ms; `throttle(now)` returns a Retry-After
 * value to refuse a request with 429, or undefined to answer it. Records when each request came.
 */
function fakeTarget(clock: FakeClock, throttle: (arrivedAt: number, index: number) => string | undefined) {
  const arrivals: { at: number; status: number }[] = [];
  const fetch: typeof globalThis.fetch = async () => {
    const at = clock.now();
    const retryAfter = throttle(at, arrivals.length);
    const arrival = { at, status: retryAfter === undefined ? 200 : 429 };
    arrivals.push(arrival);
    await clock.sleep(100);
    if (retryAfter !== undefined) return new Response('{}', { status: 429, headers: { 'retry-after': retryAfter } });
    return new Response(emptyPage, { status: 200, headers: { 'content-type': 'application/scim+json' } });
  };
  return { fetch, arrivals };
}

function budgetedClient(clock: FakeClock, fetch: typeof globalThis.fetch, budget: RateBudget, maxRetryAfterMs?: number) {
  const ownSleeps: number[] = [];
  const scim = new ScimClient({
    baseUrl: 'https://target.example/scim/v2',
    authorization: () => 'Bearer t0k3n',
    fetch,
    budget,
    ...(maxRetryAfterMs !== undefined && { maxRetryAfterMs }),
    sleep: (ms) => {
      ownSleeps.push(ms);
      return clock.sleep(ms);
    },
  });
  return { scim, ownSleeps };
}

function parallelFinds(scim: ScimClient, count: number): Promise<unknown[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => scim.findUsers('userName', `u${i}@example.com`)));
}

describe('ScimClient with a rate budget', () => {
  it('10 parallel requests, one throttled with Retry-After 2: all wait once, one request more in all', async () => {
    const clock = new FakeClock();
    const target = fakeTarget(clock, (_at, index) => (index === 0 ? '2' : undefined));
    const budget = new RateBudget({ concurrency: 4 }, clock);
    const { scim, ownSleeps } = budgetedClient(clock, target.fetch, budget);
    expect(await clock.run(parallelFinds(scim, 10))).toHaveLength(10);

    expect(target.arrivals).toHaveLength(11);
    expect(target.arrivals.filter((a) => a.status === 429)).toHaveLength(1);
    // The 429 is answered at 100; nothing is sent again before 2100, then one request alone.
    expect(target.arrivals.filter((a) => a.at > 0 && a.at < 2100)).toEqual([]);
    expect(target.arrivals.filter((a) => a.at === 2100)).toHaveLength(1);
    expect(Math.min(...target.arrivals.filter((a) => a.at > 2100).map((a) => a.at))).toBe(2200);
    // The client waited on the budget, not on its own timer.
    expect(ownSleeps).toEqual([]);
  });

  it('when every request in flight is throttled, they retry one at a time after one shared pause', async () => {
    const clock = new FakeClock();
    // The target refuses everything that arrives before 2500 ms, asking for 2 s each time.
    const target = fakeTarget(clock, (at) => (at < 2500 ? '2' : undefined));
    const budget = new RateBudget({ concurrency: 8 }, clock);
    const { scim, ownSleeps } = budgetedClient(clock, target.fetch, budget);
    expect(await clock.run(parallelFinds(scim, 10))).toHaveLength(10);

    const times = target.arrivals.map((a) => `${a.at}:${a.status}`);
    // 8 refused at once; one probe at 2100, refused again (pause to 4200); a probe at 4200
    // answered at 4300; then the other 9 requests.
    expect(times.slice(0, 10)).toEqual([...Array.from({ length: 8 }, () => '0:429'), '2100:429', '4200:200']);
    expect(target.arrivals.slice(10).every((a) => a.at >= 4300 && a.status === 200)).toBe(true);
    expect(target.arrivals).toHaveLength(8 + 1 + 10);
    expect(ownSleeps).toEqual([]);
  });

  it('does not send while the budget is paused longer than maxRetryAfterMs: the error carries the wait', async () => {
    const clock = new FakeClock();
    const target = fakeTarget(clock, (_at, index) => (index === 0 ? '600' : undefined));
    const budget = new RateBudget({ concurrency: 1 }, clock);
    const { scim } = budgetedClient(clock, target.fetch, budget, 60_000);
    const outcomes = await clock.run(
      Promise.allSettled([scim.findUsers('userName', 'a@example.com'), scim.findUsers('userName', 'b@example.com')]),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as ProvisioningError).retryAfterMs : undefined))).toEqual([
      600_000, 600_000,
    ]);
    expect(target.arrivals).toHaveLength(1);
  });

  it('still backs off on its own after a server error without Retry-After', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const fetch: typeof globalThis.fetch = async () =>
      ++calls === 1 ? new Response('', { status: 500 }) : new Response(emptyPage, { status: 200 });
    const { scim, ownSleeps } = budgetedClient(clock, fetch, new RateBudget({}, clock));
    expect(await clock.run(scim.findUsers('userName', 'a@example.com'))).toEqual([]);
    expect(ownSleeps).toHaveLength(1);
  });
});

describe('scimTargetSchema rateLimit', () => {
  const target = { type: 'scim', baseUrl: 'https://app.example/scim/v2', auth: { type: 'bearer', token: 't' } };

  it('accepts limits in range and none at all', () => {
    expect(scimTargetSchema.parse({ ...target, rateLimit: { requestsPerSecond: 0.5, burst: 5, concurrency: 64 } }).rateLimit).toEqual({
      requestsPerSecond: 0.5,
      burst: 5,
      concurrency: 64,
    });
    expect(scimTargetSchema.parse(target).rateLimit).toBeUndefined();
  });

  it.each([
    [{ requestsPerSecond: 0 }, 'requestsPerSecond', 'requestsPerSecond must be at least 0.01 (one request in 100 s)'],
    [{ requestsPerSecond: 1001 }, 'requestsPerSecond', 'requestsPerSecond must be at most 1000'],
    [{ requestsPerSecond: '5' }, 'requestsPerSecond', 'requestsPerSecond must be a number'],
    [{ burst: 2.5 }, 'burst', 'burst must be an integer'],
    [{ burst: 0 }, 'burst', 'burst must be at least 1'],
    [{ concurrency: 0 }, 'concurrency', 'concurrency must be at least 1'],
    [{ concurrency: 65 }, 'concurrency', 'concurrency must be at most 64'],
    [{ concurrency: 1.5 }, 'concurrency', 'concurrency must be an integer'],
  ])('refuses %j naming the field', (rateLimit, field, message) => {
    const result = scimTargetSchema.safeParse({ ...target, rateLimit });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['rateLimit', field], message })]);
  });

  it('refuses an unknown key, so a misspelt limit is not silently dropped', () => {
    const result = scimTargetSchema.safeParse({ ...target, rateLimit: { requestPerSecond: 5 } });
    expect(result.success).toBe(false);
  });
});
