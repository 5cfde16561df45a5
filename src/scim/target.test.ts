import { describe, expect, it } from 'vitest';
import { CONSERVATIVE_PROFILE } from './capabilities';
import { encodePatchOperations, profiledUserWriter, replacementFor } from './target';
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

describe('profiledUserWriter', () => {
  function recording() {
    const calls: string[] = [];
    const endpoints = {
      findUsers: async () => [],
      createUser: async (r: ScimResource) => ({ ...r, id: 'new' }),
      deleteUser: async () => {},
      patchUser: async (id: string, o: PatchOperation[]) => void calls.push(`PATCH ${id} ${o.map((x) => x.op).join(',')}`),
      getUser: async (id: string) => (calls.push(`GET ${id}`), { schemas: [SCHEMA_USER], id, userName: 'x', active: true }),
      replaceUser: async (id: string, r: ScimResource) => void calls.push(`PUT ${id} active=${String(r.active)}`),
    };
    return { calls, endpoints };
  }

  it('patches a target that supports PATCH, and reads then replaces one that does not', async () => {
    const patching = recording();
    await profiledUserWriter(patching.endpoints, { ...CONSERVATIVE_PROFILE, patch: true, patchOpCasing: 'capitalised' }).patchUser('u1', ops.slice(0, 1));
    expect(patching.calls).toEqual(['PATCH u1 Replace']);

    const putting = recording();
    const writer = profiledUserWriter(putting.endpoints, CONSERVATIVE_PROFILE);
    await writer.patchUser('u1', ops.slice(0, 1));
    await writer.patchUser('u1', []);
    expect(putting.calls).toEqual(['GET u1', 'PUT u1 active=false']);
  });
});
