/**
 * One rate budget per SCIM target: a token bucket (requests per second, burst) and a limit on
 * requests in flight, shared by every request of one app, whichever workflow sends it (cycles,
 * on-demand provisioning, lifecycle workflows), and a shared pause when the target throttles.
 *
 * A budget lives in the memory of one worker process. Where several workers serve the same
 * app, `shared-budgets.ts` gives each its share (the app's limits divided by the workers using
 * them) and passes a target's Retry-After on to all of them.
 */
import { ProvisioningError } from '../errors/index';

/** An app's limits for its target; every field optional. */
export interface RateLimitSettings {
  /** Requests started per second, sustained. Absent: no rate limit, only the concurrency limit. */
  requestsPerSecond?: number;
  /** Requests that may start at once after a quiet spell. Default: one second's worth, at least 1. */
  burst?: number;
  /** Requests in flight at once. Default {@link DEFAULT_CONCURRENCY}. */
  concurrency?: number;
}

/**
 * Requests in flight per target when the app sets no limit: enough to keep a cycle moving,
 * few enough that parallel activities do not flood a SaaS target whose limits nobody entered
 * (their budgets differ too much, from 1 request/s to 10/s and more, for a default rate).
 */
export const DEFAULT_CONCURRENCY = 8;

/** Where a budget reads the time and waits: a monotonic clock in milliseconds. Injectable for tests. */
export interface RateBudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The longest delay Node's timers take (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const systemClock: RateBudgetClock = {
  now: () => performance.now(),
  // Node runs a longer timer at once: a wait past its limit waits as long as it can instead.
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, MAX_TIMER_MS))),
};

/** How a request ended, as far as the budget is concerned. */
export interface RequestOutcome {
  /** The target refused it for load (429, or 503 with Retry-After). */
  throttled: boolean;
  /** The wait the target asked for (Retry-After), in ms: it pauses every request of the budget. */
  retryAfterMs?: number;
}

/** A slot and a token taken from a budget; release it once the answer is read. */
export interface RateBudgetPermit {
  /** Frees the slot and reports the outcome. Only the first call counts. */
  release(outcome?: RequestOutcome): void;
}

export interface AcquireOptions {
  /**
   * The longest pause the caller waits out in place. When the budget is paused for longer,
   * acquire rejects with a transient TooManyRequests error carrying `retryAfterMs`, so the
   * orchestrator can schedule the retry instead of a worker slot waiting.
   */
  maxPauseMs?: number;
  /** What is waiting, e.g. `GET /Users`, for the message of that error. */
  label?: string;
}

interface CheckedSettings {
  requestsPerSecond: number | undefined;
  burst: number;
  concurrency: number;
}

function checkedSettings(settings: RateLimitSettings): CheckedSettings {
  const { requestsPerSecond, burst, concurrency = DEFAULT_CONCURRENCY } = settings;
  if (requestsPerSecond !== undefined && !(requestsPerSecond > 0 && Number.isFinite(requestsPerSecond))) {
    throw new RangeError(`requestsPerSecond must be a finite number > 0, not ${requestsPerSecond}`);
  }
  if (burst !== undefined && !(Number.isInteger(burst) && burst >= 1)) throw new RangeError(`burst must be an integer >= 1, not ${burst}`);
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`concurrency must be an integer >= 1, not ${concurrency}`);
  return { requestsPerSecond, burst: burst ?? Math.max(1, Math.ceil(requestsPerSecond ?? 1)), concurrency };
}

/**
 * A token bucket and a concurrency limit for one target. Callers take a permit before each
 * request and release it after; permits are granted in the order they were asked for.
 *
 * When the target throttles with Retry-After, the whole budget pauses until then: requests
 * waiting for a permit wait once, together, instead of each sending, being refused and
 * retrying. After the pause the bucket starts again with a single token and requests go one
 * at a time until one that started after the pause is not throttled; then the configured
 * concurrency applies again. A later Retry-After only ever extends the pause.
 *
 * @example
 * const permit = await budget.acquire();
 * const response = await fetch(url);
 * permit.release({ throttled: response.status === 429, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) });
 */
export class RateBudget {
  /** The app's limits, as configured. */
  private configured: CheckedSettings;
  /** Workers sharing the app's limits, this one included. */
  private members = 1;
  private requestsPerSecond: number | undefined;
  private burst: number;
  private concurrency: number;
  private tokens: number;
  /** The time up to which tokens have been added; in the future while paused. */
  private refilledAt: number;
  private inFlight = 0;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  /** After a pause: one request at a time until one is not throttled. */
  private probing = false;
  /** Counts pauses, so that only a request started after the latest pause ends probing. */
  private pauses = 0;
  /** The permits asked for so far, as a chain: one caller at a time waits for its permit. */
  private queue: Promise<unknown> = Promise.resolve();
  private wakeWaiter: (() => void) | undefined;
  /** Told of each wait of a request for this budget: why (a pause, the concurrency limit, the rate) and for how long, in ms. */
  onWait: ((reason: 'pause' | 'concurrency' | 'rate', ms: number) => void) | undefined;
  /** Told when a request of this budget is throttled with Retry-After (the pause it asked for, in ms), to pass it on to other workers. */
  onThrottled: ((ms: number) => void) | undefined;
  /** Awaited before each permit: a budget shared between workers waits until it knows its share. */
  admit: (() => Promise<void>) | undefined;
  /** When a permit was last asked for (the clock's time); -Infinity before the first. */
  lastAskedAt = Number.NEGATIVE_INFINITY;

  constructor(
    settings: RateLimitSettings = {},
    private readonly clock: RateBudgetClock = systemClock,
  ) {
    this.configured = checkedSettings(settings);
    this.requestsPerSecond = this.configured.requestsPerSecond;
    this.burst = this.configured.burst;
    this.concurrency = this.configured.concurrency;
    this.tokens = this.burst;
    this.refilledAt = clock.now();
  }

  /** The app's settings, with defaults filled in. */
  get settings(): RateLimitSettings {
    const { requestsPerSecond, burst, concurrency } = this.configured;
    return { ...(requestsPerSecond !== undefined && { requestsPerSecond }), burst, concurrency };
  }

  /** This worker's share of them: the settings divided by the workers sharing the budget. */
  get share(): RateLimitSettings & { members: number } {
    return {
      ...(this.requestsPerSecond !== undefined && { requestsPerSecond: this.requestsPerSecond }),
      burst: this.burst,
      concurrency: this.concurrency,
      members: this.members,
    };
  }

  /** Requests holding a permit now. */
  get active(): number {
    return this.inFlight;
  }

  /** Applies new settings in place; permits already granted stay valid. */
  update(settings: RateLimitSettings): void {
    this.configured = checkedSettings(settings);
    this.applyShare();
  }

  /**
   * Shares the app's limits between `members` workers (this one included): the rate divided, the
   * burst and the concurrency divided and rounded down, at least 1 each.
   */
  shareWith(members: number): void {
    const count = Math.max(1, Math.floor(members));
    if (count === this.members) return;
    this.members = count;
    this.applyShare();
  }

  private applyShare(): void {
    this.refill(this.clock.now());
    const { requestsPerSecond, burst, concurrency } = this.configured;
    this.requestsPerSecond = requestsPerSecond === undefined ? undefined : requestsPerSecond / this.members;
    this.burst = Math.max(1, Math.floor(burst / this.members));
    this.concurrency = Math.max(1, Math.floor(concurrency / this.members));
    this.tokens = Math.min(this.tokens, this.burst);
    this.wake();
  }

  /** Milliseconds left of the current pause; 0 when not paused. */
  pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.clock.now());
  }

  /**
   * Holds back every request of this budget for `ms` (a target's Retry-After), then lets them
   * go one at a time until one is not throttled. Pauses never shorten one already in force.
   */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + Math.max(0, ms));
    this.probing = true;
    this.pauses++;
    this.tokens = Math.min(this.tokens, 1);
    this.refilledAt = Math.max(this.refilledAt, this.pausedUntil);
    this.wake();
  }

  /** Waits for the pause to end, a free slot and a token, in that order; resolves with the permit. */
  acquire(options: AcquireOptions = {}): Promise<RateBudgetPermit> {
    this.lastAskedAt = this.clock.now();
    const turn = this.queue.then(async () => {
      await this.admit?.();
      return this.take(options.maxPauseMs ?? Number.POSITIVE_INFINITY, options.label);
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(maxPauseMs: number, label: string | undefined): Promise<RateBudgetPermit> {
    for (;;) {
      const now = this.clock.now();
      const paused = this.pausedUntil - now;
      if (paused > 0) {
        if (paused > maxPauseMs) {
          throw new ProvisioningError({
            kind: 'transient',
            code: 'TooManyRequests',
            message: `${label === undefined ? '' : `${label} `}not sent: the target asked for a pause of ${Math.ceil(paused / 1000)} s, longer than requests wait in place`,
            retryAfterMs: Math.ceil(paused),
          });
        }
        await this.waitFor('pause', paused);
        continue;
      }
      if (this.inFlight >= (this.probing ? 1 : this.concurrency)) {
        await this.waitFor('concurrency', undefined);
        continue;
      }
      this.refill(now);
      if (this.requestsPerSecond !== undefined && this.tokens < 1) {
        await this.waitFor('rate', Math.ceil(((1 - this.tokens) * 1000) / this.requestsPerSecond));
        continue;
      }
      if (this.requestsPerSecond !== undefined) this.tokens -= 1;
      this.inFlight++;
      return this.permit();
    }
  }

  private async waitFor(reason: 'pause' | 'concurrency' | 'rate', ms: number | undefined): Promise<void> {
    const started = this.clock.now();
    await this.wait(ms);
    this.onWait?.(reason, this.clock.now() - started);
  }

  /** Sleeps `ms` (until woken when undefined); a release, pause or update wakes it early, and the caller looks again. */
  private wait(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeWaiter = resolve;
      if (ms !== undefined) void this.clock.sleep(ms).then(resolve);
    }).finally(() => {
      this.wakeWaiter = undefined;
    });
  }

  private wake(): void {
    this.wakeWaiter?.();
  }

  private refill(now: number): void {
    if (now <= this.refilledAt) return;
    if (this.requestsPerSecond !== undefined)
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.requestsPerSecond) / 1000);
    this.refilledAt = now;
  }

  private permit(): RateBudgetPermit {
    const pausesBefore = this.pauses;
    let released = false;
    return {
      release: (outcome = { throttled: false }) => {
        if (released) return;
        released = true;
        this.inFlight--;
        if (outcome.throttled && outcome.retryAfterMs !== undefined) {
          this.pause(outcome.retryAfterMs);
          this.onThrottled?.(outcome.retryAfterMs);
          return;
        }
        if (!outcome.throttled && pausesBefore === this.pauses) this.probing = false;
        this.wake();
      },
    };
  }
}

const budgets = new Map<string, RateBudget>();
/** Told of each budget the process makes: the worker's shared budgets, when they run. */
const watchers = new Set<(appId: string, budget: RateBudget) => void>();

/**
 * The budgets of this process by app id; `watcher` is told of each one made from now on, until
 * `unwatch`.
 */
export function watchBudgets(watcher: (appId: string, budget: RateBudget) => void): {
  budgets: ReadonlyMap<string, RateBudget>;
  unwatch(): void;
} {
  watchers.add(watcher);
  return { budgets, unwatch: () => watchers.delete(watcher) };
}

/**
 * The budget of an app's target in this process: the same object for the same app id, its
 * settings updated in place when they changed. Kept for the life of the process.
 *
 * @example const budget = rateBudgetFor(app.id, app.target.rateLimit ?? {});
 */
export function rateBudgetFor(appId: string, settings: RateLimitSettings = {}): RateBudget {
  const budget = budgets.get(appId);
  if (budget === undefined) {
    const created = new RateBudget(settings);
    budgets.set(appId, created);
    for (const watcher of watchers) watcher(appId, created);
    return created;
  }
  budget.update(settings);
  return budget;
}
