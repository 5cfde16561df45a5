import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log/index';
import { watchHealth, type HealthMonitor } from './index';

function capturingLogger() {
  const lines: { level: number; msg: string; dependency?: string; reason?: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

let health: HealthMonitor | undefined;
afterEach(() => health?.close());

describe('watchHealth', () => {
  it('reports ok when every check passes', async () => {
    const { logger } = capturingLogger();
    health = watchHealth({ checks: [{ name: 'database', check: async () => {} }], logger });
    expect(await health.report()).toEqual({ status: 'ok', unavailable: [], dependencies: { database: { status: 'up' } } });
  });

  it('names what is away and why, a check that hangs counting as failed after its bound', async () => {
    const { logger } = capturingLogger();
    health = watchHealth({
      checks: [
        { name: 'temporal', check: () => new Promise(() => {}) },
        { name: 'database', check: async () => {} },
        { name: 'worker', check: async () => Promise.reject(new Error('the worker is FAILED')) },
      ],
      logger,
      timeoutMs: 50,
    });
    const report = await health.report();
    expect(report.status).toBe('unavailable');
    expect(report.unavailable).toEqual(['temporal', 'worker']);
    expect(report.dependencies.temporal).toMatchObject({ status: 'down', message: 'temporal did not answer a health check within 50 ms' });
    expect(report.dependencies.worker).toMatchObject({ status: 'down', message: 'the worker is FAILED' });
    expect(report.dependencies.database).toEqual({ status: 'up' });
    expect(health.away('worker')).toBe('the worker is FAILED');
    expect(health.away('database')).toBeUndefined();
  });

  it('logs a dependency going away once, keeps its first reason, and logs its return once', async () => {
    const { logger, lines } = capturingLogger();
    let up = true;
    health = watchHealth({
      checks: [{ name: 'temporal', check: async () => (up ? undefined : Promise.reject(new Error('connect ECONNREFUSED'))) }],
      logger,
    });
    health.markAway('temporal', 'the local Temporal dev server exited; it is being started again');
    expect(health.away('temporal')).toBe('the local Temporal dev server exited; it is being started again');
    up = false;
    for (let i = 0; i < 3; i++) await health.report();
    expect(health.away('temporal')).toBe('the local Temporal dev server exited; it is being started again');
    up = true;
    await health.report();
    await health.report();
    expect(health.away('temporal')).toBeUndefined();
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'temporal is away'],
      [30, 'temporal is back'],
    ]);
  });

  it('checks in the background, so a return is seen without a request', async () => {
    const { logger } = capturingLogger();
    let up = false;
    health = watchHealth({
      checks: [{ name: 'database', check: async () => (up ? undefined : Promise.reject(new Error('down'))) }],
      logger,
      intervalMs: 20,
    });
    await health.report();
    expect(health.away('database')).toBe('down');
    up = true;
    await expect.poll(() => health!.away('database'), { timeout: 2000, interval: 10 }).toBeUndefined();
  });

  it('says stopping once a shutdown began', async () => {
    const { logger } = capturingLogger();
    health = watchHealth({ checks: [{ name: 'database', check: async () => {} }], logger });
    health.stopping();
    expect((await health.report()).status).toBe('stopping');
  });
});
