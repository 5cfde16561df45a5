/**
 * End to end: a cycle on the real service, then `GET /metrics` scraped as Prometheus would, its
 * text parsed, and the counts held against the provisioning log and the SCIM requests sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardExpressions, metricNames } from '../grafana/dashboard';
import { parseExposition, sumOf, type Exposition } from '../support/prometheus';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';
import { portForLater } from '../support/ports';

let h: Harness;
let temporalMetricsAddress: string;

beforeAll(async () => {
  // The first service of this test process installs the Temporal runtime, with its metrics.
  temporalMetricsAddress = `127.0.0.1:${await portForLater()}`;
  h = await startHarness({ graphPageSize: 5, metricsPort: true, temporalMetricsAddress });
});

afterAll(async () => {
  await h?.close();
});

async function scrape(url: string, token?: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

async function logEntries(appId: string): Promise<{ objectType: string; action: string; status: string }[]> {
  const entries: { objectType: string; action: string; status: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await h.api('GET', `/api/v1/apps/${appId}/provisioning-logs?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    entries.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return entries;
}

/** The provisioning log counted by kind, action and status, as the metric labels them. */
function tally(entries: { objectType: string; action: string; status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of entries) {
    const key = `${e.objectType}/${e.action}/${e.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function processed(metrics: Exposition, app: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of metrics.samples) {
    if (s.name !== 'scimflow_objects_processed_total' || s.labels.app !== app || s.value === 0) continue;
    counts[`${s.labels.object_kind}/${s.labels.action}/${s.labels.status}`] = s.value;
  }
  return counts;
}

describe('GET /metrics', () => {
  it('needs the admin token on the API port, and is open on its own port', async () => {
    const none = await scrape(`${h.service.apiUrl}/metrics`);
    expect(none.status).toBe(401);
    const wrong = await scrape(`${h.service.apiUrl}/metrics`, 'not-the-admin-token');
    expect(wrong.status).toBe(401);
    const ok = await scrape(`${h.service.apiUrl}/metrics`, h.adminToken);
    expect(ok.status).toBe(200);
    expect(ok.type).toContain('text/plain');
    expect(parseExposition(ok.text).types.get('scimflow_objects_processed_total')).toBe('counter');
    const open = await scrape(`${h.service.metricsUrl}/metrics`);
    expect(open.status).toBe(200);
    expect(parseExposition(open.text).types.get('scimflow_cycle_duration_seconds')).toBe('histogram');
    expect((await scrape(`${h.service.metricsUrl}/api/v1/apps`)).status).toBe(404);
  });

  it('counts what a cycle did as the provisioning log and the target saw it', async () => {
    const people = addPeople(h.graph, 12);
    const app = await h.createApp({ capabilities: { overrides: { bulk: { supported: false } } } });
    const first = await h.waitForCycle(app.id);
    expect(first).toMatchObject({ kind: 'initial', state: 'succeeded', counts: { created: 12 } });

    h.graph.updateUser(people[2]!.id, { jobTitle: 'Principal Engineer' });
    h.graph.updateUser(people[3]!.id, { accountEnabled: false });
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second).toMatchObject({ kind: 'incremental', state: 'succeeded', counts: { updated: 1, disabled: 1 } });

    const metrics = parseExposition((await scrape(`${h.service.apiUrl}/metrics`, h.adminToken)).text);

    // Objects: one count per provisioning-log entry, by kind, action and status.
    const log = tally(await logEntries(app.id));
    expect(log['user/Create/Success']).toBe(12);
    expect(processed(metrics, app.id)).toEqual(log);

    // SCIM: every attempt the client made, by method; the latency histogram saw each one.
    const sent = h.scimRequests.length;
    expect(sent).toBeGreaterThan(12);
    expect(sumOf(metrics, 'scimflow_scim_requests_total', { app: app.id })).toBe(sent);
    expect(sumOf(metrics, 'scimflow_scim_requests_total', { app: app.id, method: 'POST', status_class: '2xx' })).toBe(
      h.scimRequests.filter((r) => r.method === 'POST' && r.status! < 300).length,
    );
    expect(sumOf(metrics, 'scimflow_scim_request_duration_seconds_count', { app: app.id })).toBe(sent);
    expect(sumOf(metrics, 'scimflow_scim_request_duration_seconds_bucket', { app: app.id, method: 'POST', le: '+Inf' })).toBe(
      h.scimRequests.filter((r) => r.method === 'POST').length,
    );

    // Graph: the reads of both cycles (pages of 5), no throttling from the fake.
    expect(sumOf(metrics, 'scimflow_graph_requests_total', { app: app.id, status_class: '2xx' })).toBeGreaterThanOrEqual(4);
    expect(sumOf(metrics, 'scimflow_graph_throttled_total', { app: app.id })).toBe(0);

    // Cycles: one initial and one incremental, both succeeded; the last success is the second's finish.
    expect(sumOf(metrics, 'scimflow_cycle_duration_seconds_count', { app: app.id, kind: 'initial', state: 'succeeded' })).toBe(1);
    expect(sumOf(metrics, 'scimflow_cycle_duration_seconds_count', { app: app.id, kind: 'incremental', state: 'succeeded' })).toBe(1);
    const last = sumOf(metrics, 'scimflow_cycle_last_success_timestamp_seconds', { app: app.id });
    expect(Math.abs(last - Date.parse(second.finishedAt) / 1000)).toBeLessThan(1);

    // Scrape-time gauges: nothing in escrow or pending, the job active.
    expect(sumOf(metrics, 'scimflow_escrow_objects', { app: app.id })).toBe(0);
    expect(metrics.samples.some((s) => s.name === 'scimflow_escrow_objects' && s.labels.app === app.id)).toBe(true);
    expect(sumOf(metrics, 'scimflow_pending_references', { app: app.id })).toBe(0);
    expect(sumOf(metrics, 'scimflow_app_state', { app: app.id, state: 'active' })).toBe(1);
    expect(sumOf(metrics, 'scimflow_app_state', { app: app.id })).toBe(1);

    // A leaver run: counted from Temporal's visibility by kind and state.
    const leaver = await h.api('POST', '/api/v1/lifecycle/events', {
      events: [{ eventId: 'metrics-leaver', type: 'leaver', person: { objectId: people[5]!.id }, effectiveAt: new Date().toISOString() }],
    });
    expect(leaver.body.events).toMatchObject([{ status: 'new' }]);
    await expect
      .poll(
        async () => {
          const runs = parseExposition((await scrape(`${h.service.metricsUrl}/metrics`)).text);
          return runs.samples
            .filter((s) => s.name === 'scimflow_lifecycle_runs' && s.labels.kind === 'leaver')
            .map((s) => [s.labels.state, s.value]);
        },
        { timeout: 20_000, interval: 500 },
      )
      .toEqual([['running', 1]]);

    // Paused: the state gauge follows the job at the next scrape.
    await h.api('POST', `/api/v1/apps/${app.id}/pause`);
    await expect
      .poll(async () =>
        sumOf(parseExposition((await scrape(`${h.service.metricsUrl}/metrics`)).text), 'scimflow_app_state', {
          app: app.id,
          state: 'paused',
        }),
      )
      .toBe(1);
  });

  it("serves the Temporal SDK's worker metrics on SCIMFLOW_TEMPORAL_METRICS_ADDRESS, with every one the dashboard shows", async () => {
    const temporal = parseExposition((await scrape(`http://${temporalMetricsAddress}/metrics`)).text);
    const exported = new Set(temporal.samples.map((s) => s.name));
    expect(exported.size).toBeGreaterThan(5);
    const shown = dashboardExpressions()
      .flatMap(metricNames)
      .filter((name) => name.startsWith('temporal_'));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.filter((name) => !exported.has(name))).toEqual([]);
  });
});
