import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { createPayloadCodec } from '../../src/temporal/payload-codec';
import { parsePayloadKeys } from '../../src/temporal/payload-keys';
import { eventSummary, RECORDING_PAYLOAD_KEYS, RECORDING_SECRETS, secretsIn, type History } from './history-files';
import { historyFromJSON, historyToJSON } from './history-json';

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** A history whose activity gets `input` (JSON text) and then waits on a 30-day timer. */
function history(input: string): History {
  return historyFromJSON({
    events: [
      {
        eventId: '1',
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        workflowExecutionStartedEventAttributes: { workflowType: { name: 'leaver' } },
      },
      {
        eventId: '2',
        eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'deprovisionPerson' },
          input: { payloads: [{ metadata: { encoding: base64('json/plain') }, data: base64(input) }] },
        },
      },
      { eventId: '3', eventType: 'EVENT_TYPE_TIMER_STARTED', timerStartedEventAttributes: { startToFireTimeout: '2591990s' } },
    ],
  });
}

describe('recorded histories', () => {
  it('finds a recording secret in plain text, inside a payload, whose data is base64, and inside an encrypted one', async () => {
    const clean = historyToJSON(history('{"appId":"a"}'));
    expect(await secretsIn(clean)).toEqual([]);
    expect(await secretsIn(historyToJSON(history(`{"token":"${RECORDING_SECRETS.scimToken}"}`)))).toEqual(['scimToken']);
    expect(await secretsIn(clean.replace('deprovisionPerson', RECORDING_SECRETS.graphClientSecret))).toEqual(['graphClientSecret']);
    const [encrypted] = await createPayloadCodec(parsePayloadKeys(RECORDING_PAYLOAD_KEYS)).encode([
      defaultPayloadConverter.toPayload({ token: RECORDING_SECRETS.scimToken }),
    ]);
    const json = historyToJSON(history('{}'));
    const wire = JSON.stringify({
      metadata: Object.fromEntries(
        Object.entries(encrypted!.metadata!).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
      ),
      data: Buffer.from(encrypted!.data!).toString('base64'),
    });
    const withEncrypted = json.replace(/\{\s*"metadata":\s*\{\s*"encoding":\s*"[^"]*"\s*\},\s*"data":\s*"[^"]*"\s*\}/, wire);
    expect(withEncrypted).not.toBe(json);
    expect(withEncrypted).not.toContain(RECORDING_SECRETS.scimToken);
    expect(await secretsIn(withEncrypted)).toEqual(['scimToken']);
  });

  it('sums a history up by what it did, timers in their largest unit', () => {
    expect(eventSummary(history('{}'))).toEqual(['activity:deprovisionPerson', 'timer:30d']);
  });

  it('keeps the JSON format through a round trip', () => {
    const text = historyToJSON(history('{}'));
    expect(historyToJSON(historyFromJSON(JSON.parse(text)))).toBe(text);
    expect(JSON.parse(text).events[2]).toMatchObject({
      eventType: 'EVENT_TYPE_TIMER_STARTED',
      timerStartedEventAttributes: { startToFireTimeout: '2591990s' },
    });
  });
});
