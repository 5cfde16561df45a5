import { describe, expect, it } from 'vitest';
import { ProvisioningError } from '../errors/index';
import { readCreatedResource, readOptionalResource, readPage, readResource } from './responses';
import { SCHEMA_LIST_RESPONSE, SCHEMA_USER } from './types';

const request = { method: 'GET', path: '/Users' };
const user = { schemas: [SCHEMA_USER], id: 'u1', userName: 'ada' };

function failure(fn: () => unknown): ProvisioningError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProvisioningError) return error;
    throw error;
  }
  throw new Error('expected a ProvisioningError');
}

describe('readPage', () => {
  it.each([
    [
      'a full page',
      { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [user] },
      { totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [user] },
    ],
    [
      'no match without Resources',
      { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 0 },
      { totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] },
    ],
    [
      'a count=0 answer',
      { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 7, itemsPerPage: 0 },
      { totalResults: 7, itemsPerPage: 0, Resources: [] },
    ],
    ['no totalResults', { Resources: [user] }, { totalResults: 1, Resources: [user] }],
    [
      'resources without schemas and a numeric id',
      { totalResults: 1, Resources: [{ id: 7, userName: 'x' }] },
      { Resources: [{ schemas: [], id: '7', userName: 'x' }] },
    ],
  ])('reads %s', (_name, body, expected) => {
    expect(readPage(request, { status: 200, body })).toMatchObject(expected);
  });

  it.each([
    ['results announced but not sent', { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 2 }],
    ['an empty body', undefined],
    ['Resources that is not an array', { totalResults: 1, Resources: user }],
    ['a resource that is not an object', { totalResults: 1, Resources: ['ada'] }],
    ['a plain array', [user]],
  ])('refuses %s as InvalidResponse', (_name, body) => {
    expect(failure(() => readPage(request, { status: 200, body }))).toMatchObject({
      kind: 'permanent',
      code: 'InvalidResponse',
      status: 200,
    });
  });
});

describe('resource readers', () => {
  it('keeps every attribute of a resource', () => {
    const body = { ...user, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' } };
    expect(readResource(request, { status: 200, body })).toEqual(body);
  });

  it('reads an empty PATCH or PUT answer as undefined', () => {
    expect(readOptionalResource(request, { status: 204, body: undefined })).toBeUndefined();
    expect(readOptionalResource(request, { status: 200, body: user })).toEqual(user);
  });

  it('requires an id on a created resource', () => {
    const error = failure(() =>
      readCreatedResource({ method: 'POST', path: '/Users' }, { status: 201, body: { schemas: [SCHEMA_USER], userName: 'ada' } }),
    );
    expect(error).toMatchObject({ code: 'InvalidResponse', status: 201 });
    expect(error.message).toBe('POST /Users answered HTTP 201 with a created resource without an id');
    expect(failure(() => readCreatedResource(request, { status: 201, body: undefined })).code).toBe('InvalidResponse');
  });
});
