/**
 * The service's health: what it depends on (Temporal, the database, its worker), each checked
 * within a bound, now and every few seconds. `/readyz` and `/healthz` report it; a dependency
 * that goes away, and its return, are logged once each instead of on every failed call; and
 * while Temporal is known to be away the API answers 503 at once.
 */
import type { Logger } from '../log/index';

/** One dependency's check: resolves when it is up, throws an error saying what is wrong when it is not. */
export interface DependencyCheck {
  name: string;
  check: () => Promise<void>;
}

export interface DependencyState {
  status: 'up' | 'down';
  /** Why it is away: the first reason of this episode. */
  message?: string;
  /** Since when it is away (ISO 8601). */
  since?: string;
}

export interface HealthReport {
  /** `ok` when every dependency is up; `stopping` once a shutdown began. */
  status: 'ok' | 'unavailable' | 'stopping';
  /** The dependencies that are away, by name. */
  unavailable: string[];
  dependencies: Record<string, DependencyState>;
}

export interface HealthMonitor {
  /** Checks every dependency now and reports. */
  report(): Promise<HealthReport>;
  /** Why the dependency is away, as last seen; undefined while it is up. */
  away(name: string): string | undefined;
  /** Marks a dependency away at once, for a part of the service that saw it go (e.g. the local Temporal dev server exited). */
  markAway(name: string, message: string): void;
  /** From now on the report says `stopping` (readiness fails while the service drains) and nothing is logged. */
  stopping(): void;
  /** Stops the periodic checks. */
  close(): void;
}

export interface HealthOptions {
  checks: DependencyCheck[];
  logger: Logger;
  /** How often the dependencies are checked in the background (default 3 s). */
  intervalMs?: number;
  /** How long one check may take before it counts as failed (default 2 s). */
  timeoutMs?: number;
  /** Told when a dependency goes away (once per episode). */
  onAway?: (name: string, message: string) => void;
  /** Told when a dependency that was away is back. */
  onBack?: (name: string) => void;
}

function bounded(work: Promise<void>, timeoutMs: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer a health check within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Watches the dependencies.
 *
 * @example
 * const health = watchHealth({ checks: [{ name: 'database', check: () => sql`select 1`.execute(db).then(() => {}) }], logger });
 * const report = await health.report(); // { status: 'ok', unavailable: [], dependencies: { database: { status: 'up' } } }
 */
export function watchHealth(options: HealthOptions): HealthMonitor {
  const { checks, logger } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  const down = new Map<string, { message: string; since: string }>();
  let isStopping = false;
  let running: Promise<void> | undefined;

  // While the service stops, its own parts stop too: that is reported, not logged as an outage.
  function setDown(name: string, message: string): void {
    if (down.has(name)) return;
    down.set(name, { message, since: new Date().toISOString() });
    if (!isStopping) logger.warn({ dependency: name, reason: message }, `${name} is away`);
    options.onAway?.(name, message);
  }

  function setUp(name: string): void {
    const was = down.get(name);
    if (!was) return;
    down.delete(name);
    if (!isStopping) logger.info({ dependency: name, awaySince: was.since }, `${name} is back`);
    if (!isStopping) options.onBack?.(name);
  }

  function checkAll(): Promise<void> {
    running ??= Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await bounded(check(), timeoutMs, name);
          setUp(name);
        } catch (error) {
          setDown(name, error instanceof Error ? error.message : String(error));
        }
      }),
    ).then(
      () => {
        running = undefined;
      },
      () => {
        running = undefined;
      },
    );
    return running;
  }

  const timer = setInterval(() => void checkAll(), options.intervalMs ?? 3000);
  timer.unref();

  return {
    async report() {
      await checkAll();
      const dependencies = Object.fromEntries(
        checks.map(({ name }): [string, DependencyState] => {
          const state = down.get(name);
          return [name, state ? { status: 'down', ...state } : { status: 'up' }];
        }),
      );
      const unavailable = checks.map(({ name }) => name).filter((name) => down.has(name));
      return { status: isStopping ? 'stopping' : unavailable.length ? 'unavailable' : 'ok', unavailable, dependencies };
    },
    away: (name) => down.get(name)?.message,
    markAway: setDown,
    stopping() {
      isStopping = true;
      clearInterval(timer);
    },
    close() {
      clearInterval(timer);
    },
  };
}
