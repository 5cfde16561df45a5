/**
 * `npm run bench -- log-export [--entries N]`: fills an embedded database with N provisioning-log
 * entries (steps and modified properties as a cycle writes them), serves the API over HTTP in
 * this process and reads each export (CSV, NDJSON) as a client does, counting lines without
 * keeping them. Memory is sampled every 20 ms; an export that held its entries would grow the
 * heap with N, a streamed one stays where a run of a tenth of N leaves it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApi } from '../api/app';
import type { JobControl } from '../api/jobs';
import { appInputSchema, splitSecrets } from '../src/config/app';
import { createLogger } from '../src/log/index';
import { openDatabase, type ProvisioningLogInput } from '../src/store/index';
import { projectRoot } from '../src/tools/index';
import type { Log } from './environment';
import type { Teardown } from './teardown';

export interface ExportRun {
  format: 'csv' | 'ndjson';
  entries: number;
  lines: number;
  megabytes: number;
  seconds: number;
  entriesPerSecond: number;
  /** Before the export starts, and the most seen while it ran. */
  rssMb: { before: number; peak: number };
  heapUsedMb: { before: number; peak: number };
}

export interface LogExportResult {
  entries: number;
  node: string;
  runs: ExportRun[];
}

const MB = 1024 * 1024;

function logEntry(appId: string, n: number): ProvisioningLogInput {
  return {
    appId,
    cycleId: `${appId}:${1 + Math.floor(n / 10_000)}`,
    changeId: `${appId}:bench:${n}`,
    objectType: 'user',
    sourceId: randomUUID(),
    sourceDisplay: `Bench User ${n}, "Sales"`,
    targetId: randomUUID(),
    action: n % 10 === 0 ? 'Create' : 'Update',
    status: n % 50 === 0 ? 'Failure' : 'Success',
    modifiedProperties: [
      { name: 'title', old: 'Engineer', new: `Engineer ${n}` },
      { name: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', new: 'Sales' },
    ],
    steps: [
      { name: 'import', status: 'Success', detail: 'read from Graph' },
      { name: 'scoping', status: 'Success', detail: 'in scope: assigned to the app' },
      { name: 'matching', status: 'Success', detail: 'matched on userName' },
      { name: 'export', status: n % 50 === 0 ? 'Failure' : 'Success', detail: `PATCH /Users/${n}` },
    ],
    ...(n % 50 === 0 && {
      error: { kind: 'transient' as const, code: 'TooManyRequests' as const, message: 'HTTP 429 from the target', status: 429 },
    }),
    startedAt: new Date().toISOString(),
    durationMs: n % 100,
  };
}

export async function runLogExport(options: { entries: number }, teardown: Teardown, log: Log): Promise<LogExportResult> {
  const store = await openDatabase({ secretKey: randomBytes(32) });
  teardown.add('bench store', () => store.close());
  const { config, secrets } = splitSecrets(
    appInputSchema.parse({
      displayName: 'Log export bench',
      source: { type: 'graph', tenantId: 'tenant', clientId: 'client', clientSecret: 'not-a-secret' },
      target: { type: 'scim', baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 'not-a-token' } },
    }),
  );
  const appId = (await store.apps.create(config, secrets)).id;
  log(`writing ${options.entries} log entries`);
  for (let start = 0; start < options.entries; start += 5000) {
    const count = Math.min(5000, options.entries - start);
    await store.provisioningLog.append(Array.from({ length: count }, (_, i) => logEntry(appId, start + i)));
  }

  const token = randomBytes(24).toString('base64url');
  const api = createApi({ store, jobs: {} as JobControl, adminToken: token, logger: createLogger({ level: 'silent' }) });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: api.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  teardown.add('bench API', () => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;

  async function exportOnce(format: 'csv' | 'ndjson', limitEntries?: number): Promise<ExportRun> {
    global.gc?.();
    const before = process.memoryUsage();
    const peak = { rss: before.rss, heapUsed: before.heapUsed };
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
    }, 20);
    const started = performance.now();
    // A tenth of the entries: the same export over the newest of them (a `from` filter).
    let from = '';
    if (limitEntries !== undefined) {
      const page = await store.db
        .selectFrom('provisioning_log')
        .select('created_at')
        .orderBy('created_at', 'desc')
        .offset(limitEntries - 1)
        .limit(1)
        .executeTakeFirstOrThrow();
      from = `&from=${encodeURIComponent(page.created_at.toISOString())}`;
    }
    const response = await fetch(`${base}/apps/${appId}/provisioning-logs/export?format=${format}${from}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
    let bytes = 0;
    let newlines = 0;
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      for (const byte of value) if (byte === 10) newlines++;
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const after = process.memoryUsage();
    peak.rss = Math.max(peak.rss, after.rss);
    peak.heapUsed = Math.max(peak.heapUsed, after.heapUsed);
    const lines = format === 'csv' ? newlines - 1 : newlines;
    return {
      format,
      entries: limitEntries ?? options.entries,
      lines,
      megabytes: Math.round((bytes / MB) * 10) / 10,
      seconds: Math.round(seconds * 100) / 100,
      entriesPerSecond: Math.round(lines / seconds),
      rssMb: { before: Math.round(before.rss / MB), peak: Math.round(peak.rss / MB) },
      heapUsedMb: { before: Math.round(before.heapUsed / MB), peak: Math.round(peak.heapUsed / MB) },
    };
  }

  const runs: ExportRun[] = [];
  for (const format of ['csv', 'ndjson'] as const) {
    for (const size of [Math.ceil(options.entries / 10), options.entries]) {
      log(`exporting ${size} entries as ${format}`);
      const run = await exportOnce(format, size === options.entries ? undefined : size);
      // CSV fields hold line breaks only where a value does; these entries have none.
      if (run.lines < run.entries) throw new Error(`${format}: ${run.lines} lines for ${run.entries} entries`);
      runs.push(run);
    }
  }
  return { entries: options.entries, node: process.version, runs };
}

export function formatLogExport(result: LogExportResult): string {
  const rows = result.runs.map(
    (r) =>
      `| ${r.format} | ${r.entries.toLocaleString('en')} | ${r.megabytes} MB | ${r.seconds} s | ${r.entriesPerSecond.toLocaleString('en')} | ${r.rssMb.before} → ${r.rssMb.peak} MB | ${r.heapUsedMb.before} → ${r.heapUsedMb.peak} MB |`,
  );
  return [
    '',
    '| format | entries | size | time | entries/s | RSS before → peak | heap used before → peak |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

export async function writeLogExport(result: LogExportResult): Promise<string> {
  const dir = join(projectRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `log-export-${result.entries}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
