import { describe, expect, it } from 'vitest';
import { Directory } from './directory';
import { PeopleApi } from './people-api';

function setup() {
  const directory = new Directory();
  const boss = directory.addUser({
    displayName: 'Grace Hopper',
    userPrincipalName: 'grace.hopper@contoso.test',
    mailNickname: 'grace.hopper',
    employeeId: '1001',
  });
  const api = new PeopleApi(directory, 'contoso.test');
  const call = (method: string, path: string, body?: unknown) => api.handle(method, path, body === undefined ? '' : JSON.stringify(body));
  return { directory, boss, api, call };
}

const message = (response: { body?: unknown } | undefined) => (response?.body as { error: { message: string } }).error.message;

describe('PeopleApi', () => {
  it('hires: derives the user principal name, mail and the next employee id, and sets the manager', () => {
    const { directory, boss, call } = setup();
    const hired = call('POST', '/sandbox/people', { displayName: ' Ada  Lovelace ', department: 'Engineering', managerId: boss.id });
    expect(hired).toMatchObject({
      status: 201,
      body: {
        displayName: 'Ada  Lovelace',
        userPrincipalName: 'ada.lovelace@contoso.test',
        mail: 'ada.lovelace@contoso.test',
        employeeId: '1002',
        department: 'Engineering',
        jobTitle: null,
        managerId: boss.id,
        accountEnabled: true,
      },
    });
    const id = (hired!.body as { id: string }).id;
    expect(directory.users.get(id)).toMatchObject({ givenName: 'Ada', surname: 'Lovelace', mailNickname: 'ada.lovelace' });
    // A namesake gets a name of their own.
    expect(call('POST', '/sandbox/people', { displayName: 'Ada Lovelace' })?.body).toMatchObject({
      userPrincipalName: 'ada.lovelace2@contoso.test',
    });
  });

  it('lists, moves and deletes, each a change a delta round sees', () => {
    const { directory, boss, call } = setup();
    const hired = call('POST', '/sandbox/people', { displayName: 'Alan Turing' })!.body as { id: string };
    expect((call('GET', '/sandbox/people')!.body as { people: unknown[] }).people).toHaveLength(2);
    const seq = directory.currentSeq;
    expect(call('PATCH', `/sandbox/people/${hired.id}`, { department: 'Research', jobTitle: 'Fellow', managerId: boss.id })).toMatchObject({
      status: 200,
      body: { department: 'Research', jobTitle: 'Fellow', managerId: boss.id },
    });
    expect(call('PATCH', `/sandbox/people/${hired.id}`, { jobTitle: null })?.body).toMatchObject({ jobTitle: null });
    expect(directory.currentSeq).toBeGreaterThan(seq);
    expect(call('DELETE', `/sandbox/people/${hired.id}`)).toEqual({ status: 204 });
    expect(directory.softDeleted.has(hired.id)).toBe(true);
    expect(call('GET', `/sandbox/people/${hired.id}`)?.status).toBe(404);
  });

  it.each([
    ['no body', 'POST', '/sandbox/people', undefined, 400, 'the body must be an object with displayName'],
    ['no displayName', 'POST', '/sandbox/people', { department: 'Sales' }, 400, 'displayName is required'],
    ['a blank displayName', 'POST', '/sandbox/people', { displayName: '  ' }, 400, 'displayName must not be empty'],
    ['a displayName without a letter', 'POST', '/sandbox/people', { displayName: '42' }, 400, 'displayName must hold a letter'],
    ['a number for a name', 'POST', '/sandbox/people', { displayName: 7 }, 400, 'displayName must be a string'],
    ['an unknown field', 'POST', '/sandbox/people', { displayName: 'A B', title: 'x' }, 400, 'unknown field title'],
    [
      'a manager id that is no GUID',
      'POST',
      '/sandbox/people',
      { displayName: 'A B', managerId: 'x' },
      400,
      "managerId must be a person's id (a GUID)",
    ],
    [
      'an unknown manager',
      'POST',
      '/sandbox/people',
      { displayName: 'A B', managerId: '6a1f0a4e-6a43-4bb5-9d0b-6f6f1b3a2c11' },
      400,
      "managerId: no other person with the id '6a1f0a4e-6a43-4bb5-9d0b-6f6f1b3a2c11' in the sandbox",
    ],
    ['a bad accountEnabled', 'PATCH', '/sandbox/people/:boss', { accountEnabled: 'yes' }, 400, 'accountEnabled must be true or false'],
    ['an unknown person', 'PATCH', '/sandbox/people/nobody', {}, 404, "No person with the id 'nobody' in the sandbox."],
    ['another method', 'PUT', '/sandbox/people', {}, 405, 'The method PUT is not allowed here.'],
  ])('answers %s with a 4xx naming the field', (_, method, path, body, status, text) => {
    const { boss, call } = setup();
    const response = call(method, path.replace(':boss', boss.id), body);
    expect(response?.status).toBe(status);
    expect(message(response)).toBe(text);
  });

  it('answers a body that is not JSON with a 400, and leaves other paths to Graph', () => {
    const { api } = setup();
    expect(message(api.handle('POST', '/sandbox/people', '{'))).toBe('The body must be JSON.');
    expect(api.handle('GET', '/v1.0/users', '')).toBeUndefined();
    expect(api.handle('GET', '/sandbox/v1.0/users', '')).toBeUndefined();
  });
});
