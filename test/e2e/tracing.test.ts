/**
 * OpenTelemetry traces end to end: a real OTLP/HTTP receiver on loopback (a small HTTP server that
 * takes the exporter's JSON requests), the service with tracing on, one cycle, and the spans of the
 * client's start, the workflow runs and their activities arriving, linked in traces.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../src/temporal/tracing';
import { bundleWorkflows } from '../../src/temporal/worker';
import { testEnv } from '../support/env';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';

interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service: string | undefined;
}

let receiver: Server;
const received: ReceivedSpan[] = [];
const paths: string[] = [];
const bodies: string[] = [];
let tracing: Tracing;
let h: Harness;

/** An OTLP/HTTP trace receiver: takes `POST /v1/traces` in OTLP's JSON encoding and answers as a collector does. */
async function startReceiver(): Promise<string> {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      paths.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      const body = JSON.parse(bodies.at(-1)!) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: { stringValue?: string } }[] };
          scopeSpans: { spans: Omit<ReceivedSpan, 'service'>[] }[];
        }[];
      };
      for (const { resource, scopeSpans } of body.resourceSpans) {
        const service = resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
        for (const { spans } of scopeSpans) for (const span of spans) received.push({ ...span, service });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  tracing = await startTracing(await startReceiver());
  const workflowBundle = await bundleWorkflows({ interceptorModules: tracing.workflowModules });
  h = await startHarness({ graphPageSize: 5, tracing: { tracing, workflowBundle } });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await tracing?.shutdown();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('OpenTelemetry traces', () => {
  it('exports the spans of the job, its cycle and its activities to the OTLP endpoint', async () => {
    addPeople(h.graph, 6);
    const app = await h.createApp();
    const cycle = await h.waitForCycle(app.id);
    expect(cycle).toMatchObject({ kind: 'initial', state: 'succeeded' });

    const names = () => new Set(received.map((span) => span.name));
    await expect
      .poll(
        () => [...names()].filter((name) => /^(StartWorkflow:appJob|RunWorkflow:syncCycle|RunActivity:processPage)$/.test(name)).sort(),
        {
          timeout: 20_000,
          interval: 250,
        },
      )
      .toEqual(['RunActivity:processPage', 'RunWorkflow:syncCycle', 'StartWorkflow:appJob']);
    expect(paths.every((path) => path.startsWith('POST /v1/traces application/json'))).toBe(true);
    expect(received.every((span) => span.service === 'scimflow')).toBe(true);

    // An activity's span belongs to its workflow's trace, below a span of that trace.
    const activity = received.find((span) => span.name === 'RunActivity:processPage')!;
    const sameTrace = received.filter((span) => span.traceId === activity.traceId);
    expect(sameTrace.some((span) => span.name === 'RunWorkflow:syncCycle')).toBe(true);
    expect(sameTrace.some((span) => span.spanId === activity.parentSpanId)).toBe(true);

    // No secret in any span.
    for (const secret of [h.graph.clientSecret, testEnv.scimToken, h.adminToken]) {
      expect(bodies.some((body) => body.includes(secret))).toBe(false);
    }
  });
});
