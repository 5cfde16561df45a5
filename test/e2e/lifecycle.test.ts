/**
 * HR lifecycle events end to end: the real service, Temporal dev server, scim2-server targets
 * and the Graph fake. Intake (bad, repeated and out-of-order events), leaver, rehire, joiner,
 * mover, a cycle right after a leaver, and an app that is down during a leaver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { employeeRefs } from '../../src/lifecycle/employee-ref';
import {
  APP_IDS,
  EMPLOYEE_ID,
  employeeWorkflowId,
  EVENT_TYPE,
  legacyEmployeeWorkflowId,
  lifecycleProgressQuery,
  PERSON_ID,
  type JoinerInput,
} from '../../workflows/lifecycle/definitions';
import { joiner as joinerWorkflow } from '../../workflows/lifecycle/index';
import { testEnv } from '../support/env';
import { startAlertWebhook, type AlertWebhook } from '../support/alert-webhook';
import { startHarness, type Harness } from '../support/harness';
import { eventually, personView, runResult, sendEvents, targetUser } from '../support/lifecycle';
import { addPeople, person } from '../support/people';

let h: Harness;
let webhook: AlertWebhook;
let alerts: AlertWebhook['alerts'];
let apps: { id: string; scimBaseUrl: string }[];

beforeAll(async () => {
  webhook = await startAlertWebhook();
  alerts = webhook.alerts;
  h = await startHarness({ alerts: { webhook } });
  addPeople(h.graph, 8, 7000);
  apps = [await h.createApp(), await h.createApp({ lifecycle: { leaverTimeoutMinutes: 0.1 } })];
  for (const app of apps) await h.waitForCycle(app.id);
});

afterAll(async () => {
  await h?.close();
  webhook?.close();
});

const upn = (i: number) => `user${i}@contoso.test`;
/** The workflow id of a run for a person known by employee id only. */
const byEmployeeId = (employeeId: string, kind: 'joiner' | 'pending') => employeeWorkflowId(employeeRefs(h.secretKey)(employeeId), kind);
const objectIdOf = (i: number) => [...h.graph.directory.users.values()].find((u) => u.userPrincipalName === upn(i))!.id;

describe('lifecycle intake', () => {
  it('answers each event on its own: bad ones with the field, good ones with their run, a repeat the same', async () => {
    const good = { eventId: 'intake-1', type: 'mover' as const, person: { employeeId: person(7000).employeeId as string } };
    const sent = await sendEvents(h, [
      good,
      { eventId: 'intake-2', type: 'promotion' as never, person: { objectId: objectIdOf(7001) } },
      { eventId: 'intake-3', type: 'leaver', person: {} },
      { eventId: 'intake-4', type: 'leaver', person: { employeeId: 'no-such-employee' } },
    ]);
    expect(sent.status).toBe(202);
    const workflowId = `person/${objectIdOf(7000)}/mover`;
    expect(sent.body.events).toEqual([
      { eventId: 'intake-1', workflowId, status: 'new' },
      {
        eventId: 'intake-2',
        index: 1,
        error: { field: 'type', message: 'type must be one of joiner, mover, leaver, rehire' },
        errors: [{ field: 'type', message: 'type must be one of joiner, mover, leaver, rehire' }],
      },
      {
        eventId: 'intake-3',
        index: 2,
        error: { field: 'person', message: 'at least one of objectId and employeeId is required' },
        errors: [{ field: 'person', message: 'at least one of objectId and employeeId is required' }],
      },
      {
        eventId: 'intake-4',
        index: 3,
        error: { field: 'person.employeeId', message: 'no user with employeeId "no-such-employee" in the directory' },
      },
    ]);
    await runResult(h, workflowId);

    const again = await sendEvents(h, [{ ...good, type: 'leaver' }]);
    expect(again.body.events).toEqual([{ eventId: 'intake-1', workflowId, status: 'repeat' }]);
    const view = await personView(h, objectIdOf(7000));
    expect(view).toMatchObject({ objectId: objectIdOf(7000), employeeId: '107000', displayName: 'Given7000 Family7000', state: 'active' });
    expect(view.events.map((e: any) => e.eventId)).toEqual(['intake-1']);
    // The repeat started nothing: the person is still in every app.
    for (const app of apps) expect((await targetUser(h, app.scimBaseUrl, upn(7000))).active).toBe(true);
  });

  it('refuses a body that is not a list of events with 400', async () => {
    expect((await h.api('POST', '/api/v1/lifecycle/events', { events: [] })).body.error.fields).toEqual([
      { path: 'events', message: 'events must hold at least one event' },
    ]);
    expect((await h.api('POST', '/api/v1/lifecycle/events', { events: 'x' })).status).toBe(400);
    expect((await h.api('GET', '/api/v1/lifecycle/persons/nobody')).status).toBe(404);
  });

  it('answers 400 with every problem of every event when none is accepted, and never a 500 for what the store cannot hold', async () => {
    const nothing = await h.api('POST', '/api/v1/lifecycle/events', { events: [null] });
    expect(nothing.status).toBe(400);
    expect(nothing.body.events).toEqual([
      {
        index: 0,
        error: { field: '(event)', message: 'an event must be an object' },
        errors: [{ field: '(event)', message: 'an event must be an object' }],
      },
    ]);

    const bad = await sendEvents(h, [
      { eventId: 'bad-1', type: 'leaver', person: { objectId: 'jdoe' }, effectiveAt: '0000-01-01T00:00:00Z' },
      { eventId: 'bad-2\u0000', type: 'leaver', person: { employeeId: 'no-such-employee' } },
      { eventId: 'bad-3', type: 'leaver', person: { employeeId: 'no-such-employee' } },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([
      { path: 'events.0.person.objectId', message: 'objectId must be an Entra object id (a GUID)' },
      { path: 'events.0.effectiveAt', message: 'effectiveAt must be from 0001-01-01 to 9999-12-31' },
      { path: 'events.1.eventId', message: 'eventId must not contain the NUL character (U+0000)' },
      { path: 'events.2.person.employeeId', message: 'no user with employeeId "no-such-employee" in the directory' },
    ]);
    expect(bad.body.events.map((e: any) => e.index)).toEqual([0, 1, 2]);
    expect((await h.api('GET', '/api/v1/lifecycle/persons/%00')).status).toBe(400);
  });
});

describe('a leaver', () => {
  it('is disabled in every app, stays out through a cycle, and a rehire brings them back', async () => {
    const objectId = objectIdOf(7002);
    const sent = await sendEvents(h, [{ eventId: 'leave-7002', type: 'leaver', person: { objectId } }]);
    expect(sent.body.events).toEqual([{ eventId: 'leave-7002', workflowId: `person/${objectId}/leaver`, status: 'new' }]);
    const result = await runResult(h, `person/${objectId}/leaver`);
    expect(result.state).toBe('done');
    expect(result.apps.map((a: any) => [a.appId, a.state, a.action])).toEqual(
      expect.arrayContaining(apps.map((app) => [app.id, 'done', 'Disable'])),
    );
    for (const app of apps) expect((await targetUser(h, app.scimBaseUrl, upn(7002))).active).toBe(false);
    const view = await personView(h, objectId);
    expect(view).toMatchObject({ state: 'left', events: [{ eventId: 'leave-7002', type: 'leaver', supersededBy: null }] });
    // Found in the Temporal UI by person, employee id (its opaque reference), event type and app; no name in a memo.
    const described = await h.service.client.workflow.getHandle(`person/${objectId}/leaver`).describe();
    expect(described.typedSearchAttributes.get(PERSON_ID)).toBe(objectId);
    expect(described.typedSearchAttributes.get(EMPLOYEE_ID)).toBe(employeeRefs(h.secretKey)('107002'));
    expect(view.employeeRef).toBe(employeeRefs(h.secretKey)('107002'));
    expect(described.typedSearchAttributes.get(EVENT_TYPE)).toBe('leaver');
    expect([...(described.typedSearchAttributes.get(APP_IDS) ?? [])].sort()).toEqual(apps.map((a) => a.id).sort());
    expect(described.memo ?? {}).toEqual({});
    const history = JSON.stringify(await h.service.client.workflow.getHandle(`person/${objectId}/leaver`).fetchHistory());
    expect(history).not.toContain(h.graph.clientSecret);
    expect(history).not.toContain(testEnv.scimToken);
    expect(view.workflows).toEqual([expect.objectContaining({ workflowId: `person/${objectId}/leaver`, status: 'COMPLETED' })]);
    const log = await h.api('GET', `/api/v1/apps/${apps[0]!.id}/provisioning-logs?objectId=${objectId}&action=Disable`);
    expect(log.body.items).toEqual([expect.objectContaining({ action: 'Disable', status: 'Success', sourceId: objectId })]);

    // The directory still says enabled and now changes the person: the next cycle sees them and leaves them out.
    h.graph.updateUser(objectId, { displayName: 'Changed After Leaving' });
    await h.api('POST', `/api/v1/apps/${apps[0]!.id}/run`);
    const before = (await h.api('GET', `/api/v1/apps/${apps[0]!.id}/status`)).body.lastCycle.id;
    await h.waitForCycle(apps[0]!.id, before);
    const afterCycle = await targetUser(h, apps[0]!.scimBaseUrl, upn(7002));
    expect(afterCycle).toMatchObject({ active: false, displayName: 'Given7002 Family7002' });
    const skipped = await h.api('GET', `/api/v1/apps/${apps[0]!.id}/provisioning-logs?objectId=${objectId}&status=Skipped`);
    expect(skipped.body.items[0].reason).toMatch(/already disabled/);

    // A late joiner effective before the leave is stale: nothing starts.
    const late = await sendEvents(h, [
      { eventId: 'late-join-7002', type: 'joiner', person: { objectId }, effectiveAt: '2020-01-01T00:00:00Z' },
    ]);
    expect(late.body.events).toEqual([{ eventId: 'late-join-7002', workflowId: null, status: 'new', supersededBy: 'leave-7002' }]);
    expect((await targetUser(h, apps[0]!.scimBaseUrl, upn(7002))).active).toBe(false);

    const rehired = await sendEvents(h, [{ eventId: 'rehire-7002', type: 'rehire', person: { objectId } }]);
    expect(rehired.body.events[0]).toMatchObject({ status: 'new', workflowId: `person/${objectId}/rehire` });
    const back = await runResult(h, `person/${objectId}/rehire`);
    expect(back.apps.every((a: any) => a.state === 'done')).toBe(true);
    for (const app of apps) expect((await targetUser(h, app.scimBaseUrl, upn(7002))).active).toBe(true);
    expect((await personView(h, objectId)).state).toBe('active');
  });

  it('in an app that is down is retried, alerted, and done once the app is back', async () => {
    const objectId = objectIdOf(7003);
    const down = apps[1]!;
    const patched = await h.api('PATCH', `/api/v1/apps/${down.id}`, { target: { baseUrl: 'http://127.0.0.1:9/down/v2' } });
    expect(patched.status).toBe(200);
    await sendEvents(h, [{ eventId: 'leave-7003', type: 'leaver', person: { objectId } }]);

    const failing = await eventually(
      () => personView(h, objectId),
      (view) => view.workflows[0]?.progress?.apps?.some((a: any) => a.appId === down.id && a.state === 'failed' && a.attempts >= 2),
      'the leaver retrying in the app that is down',
    );
    const app = failing.workflows[0].progress.apps.find((a: any) => a.appId === down.id);
    expect(app.error.message).toBeTruthy();
    expect(Date.parse(app.nextRetryAt)).toBeGreaterThan(0);
    expect(failing.workflows[0].progress.apps.find((a: any) => a.appId === apps[0]!.id)).toMatchObject({
      state: 'done',
      action: 'Disable',
    });
    expect((await targetUser(h, down.scimBaseUrl, upn(7003))).active).toBe(true);

    const alert = await eventually(
      async () => alerts.find((a) => a.type === 'leaver-overdue' && a.objectId === objectId),
      Boolean,
      'the overdue alert',
    );
    expect(alert).toMatchObject({ source: 'scimflow', reason: 'LeaverNotDone', eventId: 'leave-7003', appIds: [down.id] });
    expect(JSON.stringify(alert)).not.toContain(h.graph.clientSecret);

    await h.api('PATCH', `/api/v1/apps/${down.id}`, { target: { baseUrl: down.scimBaseUrl } });
    const result = await runResult(h, `person/${objectId}/leaver`, 120_000);
    expect(result.apps.find((a: any) => a.appId === down.id)).toMatchObject({ state: 'done', action: 'Disable' });
    expect((await targetUser(h, down.scimBaseUrl, upn(7003))).active).toBe(false);
    const log = await h.api('GET', `/api/v1/apps/${down.id}/provisioning-logs?objectId=${objectId}`);
    const leaverEntries = log.body.items.filter((e: any) => e.cycleId === null);
    expect(leaverEntries[0]).toMatchObject({ action: 'Disable', status: 'Success' });
    expect(leaverEntries.length).toBeGreaterThan(2);
    expect(leaverEntries.slice(1).every((e: any) => e.status === 'Failure' && e.error)).toBe(true);
  });
});

describe('joiner and mover', () => {
  it('provisions a joiner named by employee id in every app', async () => {
    const joiner = h.graph.addUser(person(7100));
    const sent = await sendEvents(h, [{ eventId: 'join-7100', type: 'joiner', person: { employeeId: '107100' } }]);
    expect(sent.body.events).toEqual([{ eventId: 'join-7100', workflowId: `person/${joiner.id}/joiner`, status: 'new' }]);
    const result = await runResult(h, `person/${joiner.id}/joiner`);
    expect(result.apps.map((a: any) => [a.state, a.action])).toEqual([
      ['done', 'Create'],
      ['done', 'Create'],
    ]);
    for (const app of apps)
      expect(await targetUser(h, app.scimBaseUrl, upn(7100))).toMatchObject({ active: true, displayName: 'Given7100 Family7100' });
    expect((await personView(h, joiner.id)).state).toBe('active');
  });

  it('takes a joiner the directory does not have yet by employee id, and provisions them once it does', async () => {
    const sent = await sendEvents(h, [{ eventId: 'join-early', type: 'joiner', person: { employeeId: '107200' } }]);
    const joinerId = byEmployeeId('107200', 'joiner');
    expect(joinerId).not.toContain('107200');
    expect(sent.body.events).toEqual([{ eventId: 'join-early', workflowId: joinerId, status: 'new' }]);
    const handle = h.service.client.workflow.getHandle(joinerId);
    await eventually(
      () => handle.query(lifecycleProgressQuery),
      (progress) => progress.apps.filter((a) => a.status === 'NotFound' && a.attempts >= 2 && a.nextRetryAt).length === apps.length,
      'the joiner waiting for the directory',
    );
    const joiner = h.graph.addUser(person(7200));
    const result = await runResult(h, joinerId);
    expect(result.apps.map((a: any) => [a.state, a.action])).toEqual([
      ['done', 'Create'],
      ['done', 'Create'],
    ]);
    for (const app of apps) expect(await targetUser(h, app.scimBaseUrl, upn(7200))).toMatchObject({ active: true });
    const view = await personView(h, joiner.id);
    expect(view).toMatchObject({
      state: 'active',
      employeeId: '107200',
      events: [{ eventId: 'join-early', workflowId: joinerId }],
    });
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(PERSON_ID)).toBe(joiner.id);
    expect(described.typedSearchAttributes.get(EMPLOYEE_ID)).toBe(employeeRefs(h.secretKey)('107200'));
  });

  it('finds a joiner by employee id started under the old, clear workflow id: a leaver cancels it', async () => {
    // As the intake started such runs before employee ids were made opaque.
    const legacyId = legacyEmployeeWorkflowId('107300', 'joiner');
    const input: JoinerInput = {
      objectId: null,
      employeeId: '107300',
      eventId: 'join-legacy',
      effectiveAt: new Date(Date.now() + 86_400_000).toISOString(),
    };
    const handle = await h.service.client.workflow.start(joinerWorkflow, { workflowId: legacyId, taskQueue: h.taskQueue, args: [input] });
    const sent = await sendEvents(h, [{ eventId: 'leave-legacy', type: 'leaver', person: { employeeId: '107300' } }]);
    expect(sent.body.events).toEqual([{ eventId: 'leave-legacy', workflowId: legacyId, status: 'new' }]);
    expect(await handle.result()).toMatchObject({ state: 'cancelled' });
  });

  it('re-evaluates a mover in every app: updated where in scope, disabled where no longer', async () => {
    const scoped = await h.createApp({
      scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'R&D' }] }] } },
    });
    await h.waitForCycle(scoped.id);
    const objectId = objectIdOf(7004);
    expect((await targetUser(h, scoped.scimBaseUrl, upn(7004))).active).toBe(true);

    h.graph.updateUser(objectId, { department: 'Sales', jobTitle: 'Account Manager' });
    await sendEvents(h, [{ eventId: 'move-7004', type: 'mover', person: { objectId } }]);
    const result = await runResult(h, `person/${objectId}/mover`);
    expect(result.apps.find((a: any) => a.appId === scoped.id)).toMatchObject({ state: 'done', action: 'Disable' });
    expect(await targetUser(h, scoped.scimBaseUrl, upn(7004))).toMatchObject({ active: false });
    expect(await targetUser(h, apps[0]!.scimBaseUrl, upn(7004))).toMatchObject({ active: true, title: 'Account Manager' });
  });
});

// Last: the apps these tests add take part in every later run.
describe('a leaver in an app that deletes', () => {
  it('is deleted after the retention in an app set to delete', async () => {
    const deleting = await h.createApp({
      deprovisioning: { softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'delete', threshold: 500 },
      lifecycle: { retentionDays: 0 },
    });
    await h.waitForCycle(deleting.id);
    const objectId = objectIdOf(7005);
    await sendEvents(h, [{ eventId: 'leave-7005', type: 'leaver', person: { objectId } }]);
    const result = await runResult(h, `person/${objectId}/leaver`);
    expect(result.apps.find((a: any) => a.appId === deleting.id)).toMatchObject({ step: 'delete', state: 'done', action: 'Delete' });
    expect(await targetUser(h, deleting.scimBaseUrl, upn(7005))).toBeUndefined();
    for (const app of apps) expect((await targetUser(h, app.scimBaseUrl, upn(7005))).active).toBe(false);
    const log = await h.api('GET', `/api/v1/apps/${deleting.id}/provisioning-logs?objectId=${objectId}`);
    expect(log.body.items.filter((e: any) => e.cycleId === null).map((e: any) => e.action)).toEqual(['Delete', 'Disable']);
  });

  it('is kept disabled, not deleted, by a cycle during the retention of an app set to delete', async () => {
    const deleting = await h.createApp({
      deprovisioning: { softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'delete', threshold: 500 },
      lifecycle: { retentionDays: 30 },
    });
    const first = await h.waitForCycle(deleting.id);
    const objectId = objectIdOf(7006);
    await sendEvents(h, [{ eventId: 'leave-7006', type: 'leaver', person: { objectId } }]);
    await eventually(
      () => personView(h, objectId),
      (view) => view.workflows[0]?.progress?.apps?.some((a: any) => a.appId === deleting.id && a.step === 'delete' && a.state !== 'done'),
      'the leaver disabled and waiting out the retention',
    );
    // The directory changes the person: the cycle sees them out of scope, and only disables.
    h.graph.updateUser(objectId, { displayName: 'Changed During Retention' });
    await h.api('POST', `/api/v1/apps/${deleting.id}/run`);
    const second = await h.waitForCycle(deleting.id, first.id);
    expect(second.counts).toMatchObject({ deleted: 0, failed: 0 });
    expect(await targetUser(h, deleting.scimBaseUrl, upn(7006))).toMatchObject({ active: false });
  });
});

describe('a joiner in an app that creates accounts disabled', () => {
  it('holds the account disabled until the start date, which a later joiner event moves to now', async () => {
    const early = await h.createApp({ lifecycle: { leadTimeDays: 7, createDisabled: true } });
    await h.waitForCycle(early.id);
    const joiner = h.graph.addUser(person(7300));
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    await sendEvents(h, [{ eventId: 'join-7300', type: 'joiner', person: { objectId: joiner.id }, effectiveAt: tomorrow }]);
    const handle = h.service.client.workflow.getHandle(`person/${joiner.id}/joiner`);
    const waiting = await eventually(
      () => handle.query(lifecycleProgressQuery),
      (progress) => progress.apps.some((a) => a.appId === early.id && a.step === 'enable' && a.state === 'waiting'),
      'the account made disabled at the lead time',
      20_000,
    );
    expect(waiting.apps.find((a) => a.appId === apps[0]!.id)).toMatchObject({ step: 'provision', state: 'waiting', dueAt: tomorrow });
    expect(await targetUser(h, early.scimBaseUrl, upn(7300))).toMatchObject({ active: false, displayName: 'Given7300 Family7300' });
    expect(await targetUser(h, apps[0]!.scimBaseUrl, upn(7300))).toBeUndefined();
    expect((await personView(h, joiner.id)).state).toBe('prehire');

    const moved = await sendEvents(h, [{ eventId: 'join-7300-now', type: 'joiner', person: { objectId: joiner.id } }]);
    expect(moved.body.events).toEqual([{ eventId: 'join-7300-now', workflowId: `person/${joiner.id}/joiner`, status: 'new' }]);
    const result = await runResult(h, `person/${joiner.id}/joiner`);
    expect(result.apps.find((a: any) => a.appId === early.id)).toMatchObject({ step: 'enable', state: 'done', action: 'Update' });
    expect(await targetUser(h, early.scimBaseUrl, upn(7300))).toMatchObject({ active: true });
    expect(await targetUser(h, apps[0]!.scimBaseUrl, upn(7300))).toMatchObject({ active: true });
    expect((await personView(h, joiner.id)).state).toBe('active');
  });
});

describe('while the directory cannot be read', () => {
  it('holds an event by employee id as pending, carries it out once the directory is back, and lets the others through', async () => {
    const directoryApp = apps[0]!; // the oldest app's tenant is where employee ids are looked up
    const away = await h.api('PATCH', `/api/v1/apps/${directoryApp.id}`, { source: h.unreachableSource() });
    expect(away.status).toBe(200);
    const leaving = objectIdOf(7007);
    const sent = await sendEvents(h, [
      { eventId: 'pending-leave-7007', type: 'leaver', person: { employeeId: '107007' } },
      { eventId: 'pending-move-7001', type: 'mover', person: { objectId: objectIdOf(7001) } },
    ]);
    expect(sent.status).toBe(202);
    const pendingId = byEmployeeId('107007', 'pending');
    expect(sent.body.events).toEqual([
      { eventId: 'pending-leave-7007', workflowId: pendingId, status: 'pending' },
      { eventId: 'pending-move-7001', workflowId: `person/${objectIdOf(7001)}/mover`, status: 'new' },
    ]);
    const handle = h.service.client.workflow.getHandle(pendingId);
    const waiting = await eventually(
      () => handle.query(lifecycleProgressQuery),
      (progress) => /next try at/.test(progress.note ?? ''),
      'the pending run waiting for the directory',
    );
    expect(waiting).toMatchObject({ kind: 'leaver', objectId: null, phase: 'waiting' });
    expect(waiting.note).toMatch(/^the directory could not be read: /);
    // A repeated delivery is a repeat of the pending event.
    const again = await sendEvents(h, [{ eventId: 'pending-leave-7007', type: 'leaver', person: { employeeId: '107007' } }]);
    expect(again.body.events).toEqual([{ eventId: 'pending-leave-7007', workflowId: pendingId, status: 'repeat' }]);
    for (const app of apps) expect((await targetUser(h, app.scimBaseUrl, upn(7007))).active).toBe(true);

    const back = await h.api('PATCH', `/api/v1/apps/${directoryApp.id}`, {
      source: { ...h.graph.sourceConfig(), clientSecret: h.graph.clientSecret },
    });
    expect(back.status).toBe(200);
    const delivered = await runResult(h, pendingId, 120_000);
    expect(delivered).toMatchObject({
      state: 'delivered',
      objectId: leaving,
      events: [{ eventId: 'pending-leave-7007', workflowId: `person/${leaving}/leaver`, supersededBy: null }],
    });
    await eventually(
      async () => Promise.all(apps.map(async (app) => (await targetUser(h, app.scimBaseUrl, upn(7007))).active)),
      (actives) => actives.every((active) => active === false),
      'the leaver disabled in every app',
    );
    const view = await personView(h, leaving);
    expect(view).toMatchObject({ employeeId: '107007', state: 'left' });
    expect(view.events).toMatchObject([{ eventId: 'pending-leave-7007', workflowId: `person/${leaving}/leaver` }]);
  });
});
