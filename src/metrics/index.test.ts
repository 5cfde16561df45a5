import { describe, expect, it } from 'vitest';
import { parseExposition, sumOf } from '../../test/support/prometheus';
import { createMetrics, exportedNames, statusClass, type ScrapeSources } from './index';

const sources = (overrides: Partial<ScrapeSources> = {}): ScrapeSources => ({
  escrow: async () => new Map([['a1', 3]]),
  pendingReferences: async () => new Map([['a1', { members: 2, managers: 1 }]]),
  appStates: async () => new Map([['a1', 'quarantined']]),
  lifecycleRuns: async () => [{ kind: 'leaver', state: 'running', count: 4 }],
  ...overrides,
});

describe('statusClass', () => {
  it.each([
    [200, '2xx'],
    [201, '2xx'],
    [404, '4xx'],
    [429, '4xx'],
    [503, '5xx'],
    [undefined, 'none'],
  ])('%s → %s', (status, expected) => {
    expect(statusClass(status)).toBe(expected);
  });
});

describe('the metrics of an app', () => {
  it('counts SCIM attempts by method and status class, with their latency in seconds', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const target = metrics.target('a1');
    target.onRequest({ method: 'POST', status: 201, durationMs: 120 });
    target.onRequest({ method: 'POST', status: 429, durationMs: 5 });
    target.onRequest({ method: 'GET', status: undefined, durationMs: 30_000 });
    target.onBudgetWait('pause', 2000);
    target.onBudgetWait('rate', 500);
    const text = parseExposition(await metrics.registry.metrics());
    expect(sumOf(text, 'scimflow_scim_requests_total', { app: 'a1', method: 'POST', status_class: '2xx' })).toBe(1);
    expect(sumOf(text, 'scimflow_scim_requests_total', { app: 'a1', method: 'POST', status_class: '4xx' })).toBe(1);
    expect(sumOf(text, 'scimflow_scim_requests_total', { app: 'a1', method: 'GET', status_class: 'none' })).toBe(1);
    expect(sumOf(text, 'scimflow_scim_request_duration_seconds_sum', { app: 'a1', method: 'POST' })).toBeCloseTo(0.125);
    expect(sumOf(text, 'scimflow_scim_request_duration_seconds_bucket', { app: 'a1', method: 'POST', le: '0.1' })).toBe(1);
    expect(sumOf(text, 'scimflow_rate_budget_waits_total', { app: 'a1', reason: 'pause' })).toBe(1);
    expect(sumOf(text, 'scimflow_rate_budget_wait_seconds_total', { app: 'a1' })).toBe(2.5);
  });

  it('counts Graph attempts and throttles', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const source = metrics.source('a1');
    source.onRequest({ status: 200, throttled: false });
    source.onRequest({ status: 429, throttled: true });
    source.onRequest({ status: 503, throttled: true });
    const text = parseExposition(await metrics.registry.metrics());
    expect(sumOf(text, 'scimflow_graph_requests_total', { app: 'a1' })).toBe(3);
    expect(sumOf(text, 'scimflow_graph_requests_total', { app: 'a1', status_class: '5xx' })).toBe(1);
    expect(sumOf(text, 'scimflow_graph_throttled_total', { app: 'a1' })).toBe(2);
  });
});

describe('scrape-time gauges', () => {
  it('are empty until the service gives them their sources, then read them on each scrape', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    expect(sumOf(parseExposition(await metrics.registry.metrics()), 'scimflow_escrow_objects')).toBe(0);
    let escrowed = 3;
    metrics.scrapeFrom(sources({ escrow: async () => new Map([['a1', escrowed]]) }));
    let text = parseExposition(await metrics.registry.metrics());
    expect(sumOf(text, 'scimflow_escrow_objects', { app: 'a1' })).toBe(3);
    expect(sumOf(text, 'scimflow_pending_references', { app: 'a1', kind: 'members' })).toBe(2);
    expect(sumOf(text, 'scimflow_pending_references', { app: 'a1', kind: 'managers' })).toBe(1);
    expect(sumOf(text, 'scimflow_app_state', { app: 'a1', state: 'quarantined' })).toBe(1);
    expect(sumOf(text, 'scimflow_app_state', { app: 'a1', state: 'active' })).toBe(0);
    expect(sumOf(text, 'scimflow_lifecycle_runs', { kind: 'leaver', state: 'running' })).toBe(4);
    escrowed = 0;
    text = parseExposition(await metrics.registry.metrics());
    expect(sumOf(text, 'scimflow_escrow_objects', { app: 'a1' })).toBe(0);
  });

  it('leave out what a failing source cannot tell, and the scrape goes on', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.scrapeFrom(
      sources({
        escrow: () => Promise.reject(new Error('the database is away')),
        lifecycleRuns: () => Promise.reject(new Error('Temporal is away')),
      }),
    );
    const text = parseExposition(await metrics.registry.metrics());
    expect(text.samples.filter((s) => s.name === 'scimflow_escrow_objects')).toEqual([]);
    expect(text.samples.filter((s) => s.name === 'scimflow_lifecycle_runs')).toEqual([]);
    expect(sumOf(text, 'scimflow_pending_references', { app: 'a1' })).toBe(3);
  });
});

describe('exportedNames', () => {
  it('names every metric, histograms with their series, all scimflow_ and in base units', async () => {
    const names = await exportedNames(createMetrics().registry);
    expect(names).toContain('scimflow_cycle_duration_seconds_bucket');
    expect(names).toContain('scimflow_process_resident_memory_bytes');
    for (const name of names) {
      expect(name).toMatch(/^scimflow_/);
      expect(name).not.toMatch(/_(milliseconds|ms|minutes)(_|$)/);
    }
  });
});
