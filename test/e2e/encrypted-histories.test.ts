/**
 * No person's data and no secret in Temporal or the service log: people with recognisable
 * names, e-mail addresses and employee ids go through a cycle, on-demand, preview and every
 * lifecycle run (joiner, joiner by employee id, mover, leaver, rehire, pending), with a known
 * client secret and SCIM token; then every history of the task queue is dumped with the
 * Temporal CLI (`workflow list`, `workflow show --output json`), as an operator without the
 * keys would see it, and searched with the service log. The same histories read through the
 * codec endpoint (the CLI's `--codec-endpoint`) hold the names again.
 */
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolPath } from '../../src/tools/index';
import type { UserRecord } from '../fakes/graph/index';
import { testEnv } from '../support/env';
import { startHarness, type Harness } from '../support/harness';
import { eventually, runResult, sendEvents } from '../support/lifecycle';
import { person } from '../support/people';

const run = promisify(execFile);
const CLIENT_SECRET = 'histories~graph-client-secret-71d2c94b';

/** People no other string in a history could spell by chance. */
const PEOPLE = [
  ['Zenobia', 'Quillfeather', '990401'],
  ['Bartholomew', 'Wrenlowe', '990402'],
  ['Ottoline', 'Marchbanks', '990403'],
  ['Thaddeus', 'Pennywhistle', '990404'],
  ['Araminta', 'Crowhurst', '990405'],
].map(([given, family, employeeId], i) => {
  const upn = `${given!.toLowerCase()}.${family!.toLowerCase()}@fabrikam.test`;
  const nickname = `${given!.toLowerCase()}${family!.toLowerCase()}`;
  const displayName = `${given} ${family}`;
  const user: Partial<UserRecord> = {
    ...person(9400 + i),
    givenName: given!,
    surname: family!,
    displayName,
    userPrincipalName: upn,
    mail: upn,
    mailNickname: nickname,
    employeeId: employeeId!,
  };
  return { given: given!, family: family!, displayName, upn, nickname, employeeId: employeeId!, user };
});

let h: Harness;
const log: string[] = [];

/** Every string that must not be found, with what it is. */
function recognisable(): [string, string][] {
  return [
    ...PEOPLE.flatMap((p): [string, string][] => [
      [p.given, 'a given name'],
      [p.family, 'a surname'],
      [p.upn, 'an e-mail address'],
      [p.nickname, 'a mail nickname'],
      [p.employeeId, 'an employee id'],
    ]),
    [CLIENT_SECRET, 'the client secret'],
    [testEnv.scimToken, 'the SCIM token'],
    [h.adminToken, 'the admin token'],
  ];
}

/**
 * What a reader of the CLI's JSON sees: the text, and the payloads' `data` in clear (the JSON
 * holds it in base64; the Temporal UI shows it decoded).
 */
const readable = (json: string) =>
  [json, ...[...json.matchAll(/"data": ?"([A-Za-z0-9+/=]*)"/g)].map((match) => Buffer.from(match[1]!, 'base64').toString('utf8'))].join(
    '\n',
  );

const found = (text: string, where: string) =>
  recognisable()
    .filter(([value]) => readable(text).toLowerCase().includes(value.toLowerCase()))
    .map(([value, what]) => `${what} (${value}) in ${where}`);

async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await run(await toolPath('temporal'), [...args, '--address', testEnv.temporalAddress, '--namespace', 'default'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** The runs of the harness's task queue, from `temporal workflow list --output json`. */
async function listRuns(): Promise<{ text: string; runs: { workflowId: string; runId: string }[] }> {
  const text = await temporal('workflow', 'list', '--query', `TaskQueue = "${h.taskQueue}"`, '--output', 'json');
  const trimmed = text.trim();
  const items: any[] = trimmed.startsWith('[')
    ? JSON.parse(trimmed)
    : trimmed
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
  return { text, runs: items.map((item) => ({ workflowId: item.execution.workflowId, runId: item.execution.runId })) };
}

beforeAll(async () => {
  h = await startHarness({
    graph: { clientSecret: CLIENT_SECRET },
    logDestination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        log.push(chunk.toString());
        done();
      },
    }),
  });
});

afterAll(async () => {
  await h?.close();
});

describe('Temporal histories and the service log', () => {
  it('hold no name, e-mail address, employee id or secret of anyone provisioned, on-demand or through a lifecycle', async () => {
    const [cycled, onDemand, leaving, hiredEarly, pending] = PEOPLE;
    const cycledUser = h.graph.addUser(cycled!.user);
    const leavingUser = h.graph.addUser(leaving!.user);
    const pendingUser = h.graph.addUser(pending!.user);
    const app = await h.createApp();
    await h.waitForCycle(app.id);

    // On demand and its dry run, for someone the cycle did not see.
    const onDemandUser = h.graph.addUser(onDemand!.user);
    expect((await h.api('POST', `/api/v1/apps/${app.id}/preview`, { objectId: onDemandUser.id })).status).toBe(200);
    expect((await h.api('POST', `/api/v1/apps/${app.id}/provision-on-demand`, { objectId: onDemandUser.id })).body).toMatchObject({
      status: 'Success',
    });

    // Every lifecycle run: joiner, mover, leaver, rehire, a joiner by employee id before the directory has them.
    const runs = async (events: Parameters<typeof sendEvents>[1]) => {
      const sent = await sendEvents(h, events);
      expect(sent.status).toBe(202);
      for (const answer of sent.body.events) await runResult(h, answer.workflowId, 90_000);
    };
    await runs([{ eventId: 'h-join', type: 'joiner', person: { objectId: onDemandUser.id } }]);
    await runs([{ eventId: 'h-move', type: 'mover', person: { objectId: cycledUser.id } }]);
    await runs([{ eventId: 'h-leave', type: 'leaver', person: { objectId: leavingUser.id } }]);
    await runs([{ eventId: 'h-rehire', type: 'rehire', person: { objectId: leavingUser.id } }]);
    const early = await sendEvents(h, [{ eventId: 'h-join-early', type: 'joiner', person: { employeeId: hiredEarly!.employeeId } }]);
    h.graph.addUser(hiredEarly!.user);
    await runResult(h, early.body.events[0].workflowId, 90_000);

    // A leaver by employee id while the directory cannot be read: held by a pending run.
    await h.api('PATCH', `/api/v1/apps/${app.id}`, { source: h.unreachableSource() });
    const held = await sendEvents(h, [{ eventId: 'h-pending', type: 'leaver', person: { employeeId: pending!.employeeId } }]);
    expect(held.body.events).toEqual([expect.objectContaining({ status: 'pending' })]);
    await h.api('PATCH', `/api/v1/apps/${app.id}`, { source: { ...h.graph.sourceConfig(), clientSecret: CLIENT_SECRET } });
    const delivered = await runResult(h, held.body.events[0].workflowId, 120_000);
    expect(delivered).toMatchObject({ state: 'delivered', objectId: pendingUser.id });
    await runResult(h, delivered.events[0].workflowId, 90_000);

    // Everything an operator sees without the keys.
    const listed = await eventually(
      () => listRuns(),
      ({ runs }) => runs.some((r) => r.workflowId.endsWith('/pending')) && runs.some((r) => r.workflowId.endsWith('/rehire')),
      'every run listed',
    );
    const problems = found(listed.text, 'the workflow list (ids, search attributes, memos)');
    let encrypted = 0;
    const histories: string[] = [];
    for (const { workflowId, runId } of listed.runs) {
      const history = await temporal('workflow', 'show', '--workflow-id', workflowId, '--run-id', runId, '--output', 'json');
      histories.push(history);
      encrypted += history.split(Buffer.from('binary/encrypted').toString('base64')).length - 1;
      problems.push(...found(history, `the history of ${workflowId}`));
    }
    problems.push(...found(log.join(''), 'the service log'));
    expect(problems).toEqual([]);
    expect(listed.runs.length).toBeGreaterThanOrEqual(9);
    expect(encrypted).toBeGreaterThan(50);
    expect(log.length).toBeGreaterThan(10);

    // The same histories through the codec endpoint: the people are in them, encrypted.
    const decoded: string[] = [];
    for (const { workflowId, runId } of listed.runs) {
      decoded.push(
        await temporal(
          'workflow',
          'show',
          '--workflow-id',
          workflowId,
          '--run-id',
          runId,
          '--output',
          'json',
          '--codec-endpoint',
          `${h.service.apiUrl}/codec`,
          '--codec-auth',
          `Bearer ${h.adminToken}`,
        ),
      );
    }
    const clear = decoded.map(readable).join('\n');
    for (const name of [onDemand!.upn, onDemand!.displayName, pending!.employeeId]) expect(clear).toContain(name);
    expect(decoded.join('\n')).not.toContain(Buffer.from('binary/encrypted').toString('base64'));
  }, 300_000);
});
