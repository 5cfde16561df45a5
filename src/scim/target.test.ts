import { describe, expect, it } from 'vitest';
import { CONSERVATIVE_PROFILE } from './capabilities';
import { encodePatchOperations, profiledWriter, replacementFor } from './target';
import { SCHEMA_ENTERPRISE_USER, SCHEMA_USER, type PatchOperation, type ScimResource } from './types';

const ops: PatchOperation[] = [
  { op: 'replace', path: 'active', value: false },
  { op: 'add', path: 'emails', value: [{ type: 'work', value: 'a@contoso.test', primary: true }] },
  { op: 'remove', path: 'phoneNumbers[type eq "mobile"]' },
];

describe('encodePatchOperations', () => {
  it.each<[string, 'rfc' | 'capitalised', 'json' | 'string', PatchOperation[]]>([
    ['keeps RFC forms', 'rfc', 'json', ops],
    [
      "writes Entra's legacy forms when the target needs them",
      'capitalised',
      'string',
      [
        { op: 'Replace' as never, path: 'active', value: 'False' },
        { op: 'Add' as never, path: 'emails', value: [{ type: 'work', value: 'a@contoso.test', primary: 'True' }] },
        { op: 'Remove' as never, path: 'phoneNumbers[type eq "mobile"]' },
      ],
    ],
  ])('%s', (_name, patchOpCasing, booleanEncoding, expected) => {
    expect(encodePatchOperations(ops, { patchOpCasing, booleanEncoding })).toEqual(expected);
  });
});

describe('replacementFor', () => {
  const current: ScimResource = {
    schemas: [SCHEMA_USER],
    id: 'u1',
    userName: 'ada@contoso.test',
    nickName: 'Countess',
    active: true,
    phoneNumbers: [{ type: 'mobile', value: '+1 555' }],
    meta: { resourceType: 'User', version: 'W/"1"' },
  };

  it('applies the operations, keeps unmanaged attributes and drops meta', () => {
    const next = replacementFor(current, [...ops, { op: 'replace', path: `${SCHEMA_ENTERPRISE_USER}:department`, value: 'R&D' }]);
    expect(next).toEqual({
      schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER],
      id: 'u1',
      userName: 'ada@contoso.test',
      nickName: 'Countess',
      active: false,
      emails: [{ type: 'work', value: 'a@contoso.test', primary: true }],
      [SCHEMA_ENTERPRISE_USER]: { department: 'R&D' },
    });
    expect(current.active).toBe(true);
  });
});

describe('profiledWriter', () => {
  function recording() {
    const calls: string[] = [];
    const endpoints = {
      find: async () => [],
      create: async (_e: string, r: ScimResource) => ({ ...r, id: 'new' }),
      delete: async () => {},
      patch: async (e: string, id: string, o: PatchOperation[]) => void calls.push(`PATCH ${e}/${id} ${o.map((x) => x.op).join(',')}`),
      get: async (e: string, id: string) => (calls.push(`GET ${e}/${id}`), { schemas: [SCHEMA_USER], id, userName: 'x', active: true }),
      replace: async (e: string, id: string, r: ScimResource) => void calls.push(`PUT ${e}/${id} active=${String(r.active)}`),
    };
    return { calls, endpoints };
  }

  it('patches a target that supports PATCH, and reads then replaces one that does not', async () => {
    const patching = recording();
    await profiledWriter(patching.endpoints, 'Users', { ...CONSERVATIVE_PROFILE, patch: true, patchOpCasing: 'capitalised' }).patch(
      'u1',
      ops.slice(0, 1),
    );
    expect(patching.calls).toEqual(['PATCH Users/u1 Replace']);

    const putting = recording();
    const writer = profiledWriter(putting.endpoints, 'Groups', CONSERVATIVE_PROFILE);
    await writer.patch('u1', ops.slice(0, 1));
    await writer.patch('u1', []);
    expect(putting.calls).toEqual(['GET Groups/u1', 'PUT Groups/u1 active=false']);
  });
});
