/**
 * OpenTelemetry traces of workflows and activities, through `@temporalio/interceptors-opentelemetry`:
 * the client's calls (start, signal, query, update), each workflow run and each activity become
 * spans, linked across the client, the history and the worker by the headers the interceptors
 * carry, and sent over OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT`.
 *
 * Off unless the endpoint is set, and then free: the OpenTelemetry packages are imported only by
 * {@link startTracing}, and the workflow bundle holds the interceptors only when it is built with
 * {@link TRACING_WORKFLOW_MODULES}.
 */
import { createRequire } from 'node:module';
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerInterceptors, WorkerOptions } from '@temporalio/worker';

const require = createRequire(import.meta.url);

/** The workflow interceptors module a tracing worker's bundle needs. */
export const TRACING_WORKFLOW_MODULES: string[] = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

export interface Tracing {
  client: ClientInterceptors;
  /** Activity interceptors; the workflow interceptors are bundled ({@link TRACING_WORKFLOW_MODULES}). */
  worker: WorkerInterceptors;
  /** The sink that exports the spans of workflow code (which cannot do I/O itself). */
  sinks: NonNullable<WorkerOptions['sinks']>;
  workflowModules: string[];
  /** Sends the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts an OTLP/HTTP trace exporter to `endpoint` (the collector's root: spans go to
 * `{endpoint}/v1/traces`) and the Temporal interceptors that feed it.
 *
 * @example const tracing = await startTracing('http://otel-collector:4318');
 */
export async function startTracing(endpoint: string, options: { serviceName?: string } = {}): Promise<Tracing> {
  const [{ BatchSpanProcessor, NodeTracerProvider }, { OTLPTraceExporter }, { Resource }, temporalOtel] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@temporalio/interceptors-opentelemetry'),
  ]);
  const resource = new Resource({ 'service.name': options.serviceName ?? 'scimflow' });
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  const processor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  const tracer = provider.getTracer('scimflow');
  return {
    client: { workflow: [new temporalOtel.OpenTelemetryWorkflowClientInterceptor({ tracer })] },
    worker: {
      activity: [
        (ctx) => ({
          inbound: new temporalOtel.OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
          outbound: new temporalOtel.OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: temporalOtel.makeWorkflowExporter(processor, resource) },
    workflowModules: TRACING_WORKFLOW_MODULES,
    shutdown: () => provider.shutdown(),
  };
}
