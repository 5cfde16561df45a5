import { describe, expect, it } from 'vitest';
import { eventSummary, RECORDING_SECRETS, secretsIn, type History } from './history-files';
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
  it('finds a recording secret in plain text and inside a payload, whose data is base64', () => {
    const clean = historyToJSON(history('{"appId":"a"}'));
    expect(secretsIn(clean)).toEqual([]);
    expect(secretsIn(historyToJSON(history(`{"token":"${RECORDING_SECRETS.scimToken}"}`)))).toEqual(['scimToken']);
    expect(secretsIn(clean.replace('deprovisionPerson', RECORDING_SECRETS.graphClientSecret))).toEqual(['graphClientSecret']);
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
