/**
 * The provisioning log as an export: entries in the field names of Entra's `AADProvisioningLogs`
 * table (and Graph's provisioningObjectSummary), as NDJSON (one object per line) or CSV (one row
 * per entry, RFC 4180, nested fields as JSON), streamed from the store's keyset pages.
 */
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { ProvisioningLogEntry } from '../src/store/index';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
};

/** One exported entry, named as in `AADProvisioningLogs`; `appId`, `reason` and `startedDateTime` are scimflow's own. */
export interface ExportRecord {
  id: string;
  activityDateTime: string;
  jobId: string;
  appId: string;
  cycleId: string | null;
  changeId: string;
  action: string;
  statusInfo: {
    status: string;
    errorInformation: { errorCode: string; reason: string; errorCategory: string; additionalDetails: string | null } | null;
  };
  errorCode: string | null;
  reason: string | null;
  sourceIdentity: { id: string; displayName: string | null; identityType: string };
  targetIdentity: { id: string | null; identityType: string };
  modifiedProperties: { displayName: string; oldValue: string | null; newValue: string | null }[];
  provisioningSteps: { name: string; provisioningStepType: string; status: string; description: string | null; details: unknown }[];
  durationInMilliseconds: number;
  startedDateTime: string;
}

const IDENTITY_TYPE = { user: 'User', group: 'Group' } as const;

/** A modified property's value as Entra shows it: a string (JSON for anything but a string), or null when absent. */
function shown(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * An entry in the export's shape.
 *
 * @example
 * toExportRecord(entry).statusInfo.status; // 'Failure'
 */
export function toExportRecord(entry: ProvisioningLogEntry): ExportRecord {
  const { error } = entry;
  return {
    id: entry.id,
    activityDateTime: entry.createdAt,
    jobId: `app/${entry.appId}`,
    appId: entry.appId,
    cycleId: entry.cycleId,
    changeId: entry.changeId,
    action: entry.action,
    statusInfo: {
      status: entry.status,
      errorInformation:
        error === null
          ? null
          : {
              errorCode: error.code,
              reason: error.message,
              errorCategory: error.kind,
              additionalDetails: [error.scimType, error.detail].filter(Boolean).join(': ') || null,
            },
    },
    errorCode: error?.code ?? null,
    reason: entry.reason,
    sourceIdentity: { id: entry.sourceId, displayName: entry.sourceDisplay, identityType: IDENTITY_TYPE[entry.objectType] },
    targetIdentity: { id: entry.targetId, identityType: IDENTITY_TYPE[entry.objectType] },
    modifiedProperties: entry.modifiedProperties.map((p) => ({ displayName: p.name, oldValue: shown(p.old), newValue: shown(p.new) })),
    provisioningSteps: entry.steps.map((step) => ({
      name: step.name,
      provisioningStepType: step.name,
      status: step.status,
      description: step.detail ?? null,
      details: step.data ?? null,
    })),
    durationInMilliseconds: entry.durationMs,
    startedDateTime: entry.startedAt,
  };
}

/** The CSV columns, in order: a header and how each is read from a record (nested lists as JSON). */
export const CSV_COLUMNS: readonly [string, (record: ExportRecord) => string | number | null][] = [
  ['id', (r) => r.id],
  ['activityDateTime', (r) => r.activityDateTime],
  ['jobId', (r) => r.jobId],
  ['appId', (r) => r.appId],
  ['cycleId', (r) => r.cycleId],
  ['changeId', (r) => r.changeId],
  ['action', (r) => r.action],
  ['statusInfo.status', (r) => r.statusInfo.status],
  ['errorCode', (r) => r.errorCode],
  ['statusInfo.errorInformation.reason', (r) => r.statusInfo.errorInformation?.reason ?? null],
  ['statusInfo.errorInformation.errorCategory', (r) => r.statusInfo.errorInformation?.errorCategory ?? null],
  ['statusInfo.errorInformation.additionalDetails', (r) => r.statusInfo.errorInformation?.additionalDetails ?? null],
  ['reason', (r) => r.reason],
  ['sourceIdentity.id', (r) => r.sourceIdentity.id],
  ['sourceIdentity.displayName', (r) => r.sourceIdentity.displayName],
  ['sourceIdentity.identityType', (r) => r.sourceIdentity.identityType],
  ['targetIdentity.id', (r) => r.targetIdentity.id],
  ['targetIdentity.identityType', (r) => r.targetIdentity.identityType],
  ['modifiedProperties', (r) => JSON.stringify(r.modifiedProperties)],
  ['provisioningSteps', (r) => JSON.stringify(r.provisioningSteps)],
  ['durationInMilliseconds', (r) => r.durationInMilliseconds],
  ['startedDateTime', (r) => r.startedDateTime],
];

/** How an export writes one row: as a JSON object (NDJSON) and as CSV cells under `header`. */
export interface ExportShape<T> {
  json(row: T): unknown;
  header: readonly string[];
  cells(row: T): readonly unknown[];
  /** CSV line ends: `windows` (CRLF, RFC 4180) or `unix`. */
  recordDelimiter?: 'windows' | 'unix';
}

/**
 * Rows as a byte stream in `format`, pulled from `rows` as the reader reads: one store page at
 * a time is in memory, however many rows there are. A failure part way (the database gone) is
 * given to `onError` and ends the stream with an error, so the client sees a cut answer.
 */
export function exportRows<T>(
  rows: AsyncIterable<T>,
  format: ExportFormat,
  shape: ExportShape<T>,
  onError: (error: unknown) => void = () => {},
): ReadableStream<Uint8Array> {
  async function* lines() {
    try {
      for await (const row of rows) yield format === 'csv' ? shape.cells(row) : Buffer.from(`${JSON.stringify(shape.json(row))}\n`);
    } catch (error) {
      onError(error);
      throw error;
    }
  }
  const source = Readable.from(lines());
  const bytes =
    format === 'csv'
      ? pipeline(
          source,
          stringify({ header: true, columns: [...shape.header], record_delimiter: shape.recordDelimiter ?? 'windows' }),
          () => {},
        )
      : source;
  return Readable.toWeb(bytes) as ReadableStream<Uint8Array>;
}

const LOG_SHAPE: ExportShape<ProvisioningLogEntry> = {
  json: toExportRecord,
  header: CSV_COLUMNS.map(([header]) => header),
  cells: (entry) => {
    const record = toExportRecord(entry);
    return CSV_COLUMNS.map(([, read]) => read(record));
  },
};

/** The answer that carries an export: its content type, a file name to save it as, and no caching (it holds people's data). */
export function exportResponse(body: ReadableStream<Uint8Array>, format: ExportFormat, fileName: string): Response {
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': EXPORT_CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="${fileName}.${format}"`,
      'cache-control': 'no-store',
    },
  });
}

/** The provisioning log's entries as an export (see exportRows). */
export function exportStream(
  entries: AsyncIterable<ProvisioningLogEntry>,
  format: ExportFormat,
  onError: (error: unknown) => void = () => {},
): ReadableStream<Uint8Array> {
  return exportRows(entries, format, LOG_SHAPE, onError);
}
