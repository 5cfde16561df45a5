/**
 * The recorded workflow histories that test/replay/replay.test.ts replays against the current
 * workflow code, so that a change that would break a run already in flight fails `npm test`.
 * One file per history in Temporal's JSON history format (what `temporal workflow show --output
 * json` writes), named `{workflowType}-{scenario}.json`; `npm run record-histories` writes them.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Proto from '@temporalio/proto';
import { encryptingDataConverter } from '../../src/temporal/data-converter';
import { createPayloadCodec } from '../../src/temporal/payload-codec';
import { parsePayloadKeys } from '../../src/temporal/payload-keys';
import { historyFromJSON, historyToJSON, type History } from './history-json';

export type { History };

export const HISTORIES_DIR = fileURLToPath(new URL('./histories/', import.meta.url));

/**
 * The secrets the recording runs with: fixed, so that the replay test can show that none of them
 * reached a history (inputs hold ids and links, activities read secrets from the store).
 */
export const RECORDING_SECRETS = {
  graphClientSecret: 'recording~graph-client-secret-3c1f9a7e',
  scimToken: 'recording-scim-bearer-token-8d2b6e0f',
} as const;

/**
 * The payload keys the recording runs with: fixed, so that the replay test decodes what the
 * recording encrypted. Histories recorded before payloads were encrypted hold plain payloads,
 * which the codec passes through.
 */
export const RECORDING_PAYLOAD_KEYS = 'recording:6d0a1f3c9b2e4d5f8a7c6b5e4d3c2b1a0f9e8d7c6b5a49382716051f2e3d4c5b';
const recordingKeys = parsePayloadKeys(RECORDING_PAYLOAD_KEYS);
export const recordingDataConverter = encryptingDataConverter(recordingKeys);
const recordingCodec = createPayloadCodec(recordingKeys);

export interface RecordedHistory {
  /** The file's path under the histories folder, e.g. `leaver-retention-waiting.json` or `0.1.0/leaver-retention-waiting.json`. */
  file: string;
  workflowType: string;
  history: History;
}

/**
 * Every recorded history: the current recording at the top, and the recordings of earlier
 * releases kept in folders of their own while runs they cover may still be open.
 */
export async function readHistories(dir = HISTORIES_DIR): Promise<RecordedHistory[]> {
  const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const history = historyFromJSON(JSON.parse(await readFile(join(dir, file), 'utf8')));
      return { file, workflowType: workflowTypeOf(history), history };
    }),
  );
}

/**
 * Replaces the current recording (the files at the top of the folder; earlier releases' folders
 * stay) with `histories` (scenario file name → history), refusing any that holds a recording
 * secret. A scenario that is no longer recorded loses its file; with `replaceAll: false` (one
 * scenario recorded alone) only the files given are written and the others stay.
 */
export async function writeHistories(
  histories: Record<string, History>,
  dir = HISTORIES_DIR,
  options: { replaceAll?: boolean } = {},
): Promise<string[]> {
  const texts: { file: string; text: string }[] = [];
  for (const [file, history] of Object.entries(histories)) {
    const text = `${historyToJSON(history)}\n`;
    const leaked = await secretsIn(text);
    if (leaked.length > 0) throw new Error(`${file} holds ${leaked.join(' and ')}: not written`);
    if (!file.startsWith(`${workflowTypeOf(history)}-`)) throw new Error(`${file} is a history of ${workflowTypeOf(history)}`);
    texts.push({ file, text });
  }
  if (options.replaceAll ?? true) for (const file of await readdir(dir)) if (file.endsWith('.json')) await rm(join(dir, file));
  for (const { file, text } of texts) await writeFile(join(dir, file), text);
  return texts.map(({ file }) => file);
}

export function workflowTypeOf(history: History): string {
  const name = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  if (!name) throw new Error('a history starts with WorkflowExecutionStarted');
  return name;
}

/**
 * The recording secrets found in a history's JSON text, in its plain text or inside a payload
 * (payload data is base64 in the JSON format, so a plain search would miss it; an encrypted
 * payload is decrypted with the recording's keys first).
 */
export async function secretsIn(historyJson: string): Promise<string[]> {
  const texts = [historyJson];
  const payloads: { metadata: Record<string, string>; data?: string }[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') {
      const { metadata, data } = value as { metadata?: unknown; data?: unknown };
      if (metadata && typeof metadata === 'object' && (data === undefined || typeof data === 'string'))
        payloads.push(value as (typeof payloads)[number]);
      else Object.values(value).forEach(collect);
    }
  };
  collect(JSON.parse(historyJson));
  const decoded = await recordingCodec.decode(
    payloads.map(({ metadata, data }) => ({
      metadata: Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
      data: Buffer.from(data ?? '', 'base64'),
    })),
  );
  texts.push(...decoded.map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')));
  return Object.entries(RECORDING_SECRETS)
    .filter(([, secret]) => texts.some((text) => text.includes(secret)))
    .map(([name]) => name);
}

/**
 * What a history did, in order, one word each: `activity:processSourcePage`, `signal:pause`,
 * `update:preview`, `timer:30d`, `child:syncCycle`, `continuedAsNew`, `completed`. The recorder
 * checks a scenario against it and prints it.
 */
export function eventSummary(history: History): string[] {
  const summary: string[] = [];
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes)
      summary.push(`activity:${event.activityTaskScheduledEventAttributes.activityType?.name}`);
    else if (event.workflowExecutionSignaledEventAttributes)
      summary.push(`signal:${event.workflowExecutionSignaledEventAttributes.signalName}`);
    else if (event.workflowExecutionUpdateAcceptedEventAttributes)
      summary.push(`update:${event.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name}`);
    else if (event.timerStartedEventAttributes) summary.push(`timer:${duration(event.timerStartedEventAttributes.startToFireTimeout)}`);
    else if (event.startChildWorkflowExecutionInitiatedEventAttributes)
      summary.push(`child:${event.startChildWorkflowExecutionInitiatedEventAttributes.workflowType?.name}`);
    else if (event.workflowExecutionContinuedAsNewEventAttributes) summary.push('continuedAsNew');
    else if (event.workflowExecutionCompletedEventAttributes) summary.push('completed');
    else if (event.workflowExecutionFailedEventAttributes) summary.push('failed');
  }
  return summary;
}

/** A timer's duration in its largest unit: `30d`, `3h`, `15m`, `2s` (a timer set for a date a moment ago is a little short of it). */
function duration(timeout: Proto.google.protobuf.IDuration | null | undefined): string {
  const raw = timeout?.seconds ?? 0;
  const seconds = typeof raw === 'number' ? raw : raw.toNumber();
  for (const [unit, length] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds >= length - 60) return `${Math.round(seconds / length)}${unit}`;
  return `${seconds}s`;
}
