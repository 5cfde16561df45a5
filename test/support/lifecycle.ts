/** Helpers for lifecycle tests: sending HR events and waiting for a person's runs. */
import type { Harness } from './harness';

export interface EventSpec {
  eventId: string;
  type: 'joiner' | 'mover' | 'leaver' | 'rehire';
  person: { objectId?: string; employeeId?: string };
  effectiveAt?: string;
}

/** POSTs events (effective now unless given) and returns the answers. */
export async function sendEvents(h: Harness, events: EventSpec[]): Promise<{ status: number; body: any }> {
  return h.api('POST', '/api/v1/lifecycle/events', { events: events.map((e) => ({ effectiveAt: new Date().toISOString(), ...e })) });
}

/** Polls `read` until `done` holds for its value, failing with the last value after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The person's view from the API. */
export async function personView(h: Harness, objectId: string): Promise<any> {
  return (await h.api('GET', `/api/v1/lifecycle/persons/${objectId}`)).body;
}

/** Waits until the person's workflow finished and returns its result. */
export async function runResult(h: Harness, workflowId: string, timeoutMs = 60_000): Promise<any> {
  const handle = h.service.client.workflow.getHandle(workflowId);
  return Promise.race([
    handle.result(),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`${workflowId} did not finish within ${timeoutMs} ms`)), timeoutMs).unref(),
    ),
  ]);
}

/** The SCIM user of a tenant with this userName. */
export async function targetUser(h: Harness, scimBaseUrl: string, userName: string): Promise<any> {
  return (await h.targetUsers(scimBaseUrl)).find((u) => u.userName === userName);
}
