import { describe, expect, it } from 'vitest';
import { createMetrics, exportedNames } from '../../src/metrics/index';
import { dashboardExpressions, metricNames } from './dashboard';

describe('metricNames', () => {
  it.each([
    ['sum by (app) (rate(scimflow_x_total{app=~"$app"}[$__rate_interval]))', ['scimflow_x_total']],
    ['histogram_quantile(0.95, sum by (le, kind) (rate(a_bucket{app="x"}[5m])))', ['a_bucket']],
    ['time() - b_seconds{app=~"$app"}', ['b_seconds']],
    ['sum(c) / sum(d{state="quarantined"})', ['c', 'd']],
    ['e_total offset 1h', ['e_total']],
  ])('%s → %j', (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});

describe('the Grafana dashboard (deploy/grafana/scimflow.json)', () => {
  it('names only metrics scimflow exports (the Temporal SDK`s are checked against a worker in test/e2e/metrics.test.ts)', async () => {
    const exported = await exportedNames(createMetrics().registry);
    const named = dashboardExpressions().flatMap(metricNames);
    const ours = named.filter((name) => !name.startsWith('temporal_'));
    expect(ours.length).toBeGreaterThan(10);
    expect(ours.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('shows every scimflow metric family', async () => {
    const named = new Set(
      dashboardExpressions()
        .flatMap(metricNames)
        .map((name) => name.replace(/_(bucket|sum|count)$/, '')),
    );
    const families = (await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(families.filter((family) => !named.has(family))).toEqual([]);
  });
});
