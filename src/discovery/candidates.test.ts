import { describe, expect, it } from 'vitest';
import { DEFAULT_USER_MAPPINGS } from '../mapping/index';
import { createMappingPort } from '../reconcile/index';
import { DirectoryIndex, normalizeName, similarity, type AccountView, type DirectoryEntry } from './candidates';
import { accountView, directoryEntry } from './views';

const entry = (id: string, overrides: Partial<DirectoryEntry> = {}): DirectoryEntry => ({
  id,
  displayName: null,
  userPrincipalName: null,
  mail: null,
  matching: {},
  emails: [],
  ...overrides,
});

const account = (overrides: Partial<AccountView> = {}): AccountView => ({
  userName: null,
  displayName: null,
  externalId: null,
  emails: [],
  matching: {},
  active: true,
  ...overrides,
});

const ZOE = entry('00000000-0000-4000-8000-00000000000a', {
  displayName: 'Zoë Ångström',
  userPrincipalName: 'zangstrom@contoso.test',
  mail: 'zoe.angstrom@contoso.test',
  matching: { userName: 'zangstrom@contoso.test' },
  emails: ['zoe.angstrom@contoso.test', 'z.a@fabrikam.test'],
});
const ADA = entry('00000000-0000-4000-8000-00000000000b', {
  displayName: 'Ada Lovelace',
  userPrincipalName: 'ada@contoso.test',
  mail: 'ada.lovelace@contoso.test',
  matching: { userName: 'ada@contoso.test' },
  emails: ['ada.lovelace@contoso.test'],
});
const ADA_TOO = entry('00000000-0000-4000-8000-00000000000c', { displayName: 'Ada  Lovelace', userPrincipalName: 'ada2@contoso.test' });

function index(...entries: DirectoryEntry[]): DirectoryIndex {
  const built = new DirectoryIndex();
  for (const e of entries) built.add(e);
  return built;
}

describe('candidateFor', () => {
  const directory = index(ZOE, ADA, ADA_TOO);

  it.each([
    [
      'the matching attribute, whatever its case',
      account({ matching: { userName: 'ZAngstrom@contoso.test' } }),
      ZOE.id,
      'matchingAttribute',
      1,
    ],
    ['externalId holding the object id', account({ externalId: ADA.id, userName: 'someone' }), ADA.id, 'externalId', 0.95],
    ['an e-mail address of the object', account({ emails: ['z.a@fabrikam.test'], userName: 'zoe' }), ZOE.id, 'email', 0.9],
    ['userName being the userPrincipalName', account({ userName: 'ada2@contoso.test' }), ADA_TOO.id, 'userName', 0.85],
    ['userName being the mail', account({ userName: 'ada.lovelace@contoso.test' }), ADA.id, 'userName', 0.85],
    ['the same display name without accents', account({ displayName: 'zoe angstrom' }), ZOE.id, 'displayName', 0.7],
    ['a display name close to the object’s', account({ displayName: 'Zoe Angstrem' }), ZOE.id, 'displayName', 0.64],
    ['the local part of the address alone', account({ userName: 'zangstrom@fabrikam.test' }), ZOE.id, 'userNameLocalPart', 0.6],
  ])('finds the object by %s', (_, view, objectId, basis, score) => {
    expect(directory.candidateFor(view)).toMatchObject({ objectId, basis, score });
  });

  it('takes the strongest rule: the matching attribute over an e-mail address of another object', () => {
    const view = account({ matching: { userName: 'ada@contoso.test' }, emails: ['zoe.angstrom@contoso.test'] });
    expect(directory.candidateFor(view)).toMatchObject({ objectId: ADA.id, basis: 'matchingAttribute' });
  });

  it('says when more objects meet the rule, and names the first by id', () => {
    const candidate = directory.candidateFor(account({ displayName: 'ADA LOVELACE' }));
    expect(candidate).toMatchObject({ objectId: ADA.id, others: 1 });
    expect(candidate?.reason).toBe('display name "ADA LOVELACE" is the object\'s; 1 more object meets it too');
  });

  it.each([
    ['nothing to go by', account()],
    ['a display name too far from any', account({ displayName: 'Zed Amstram' })],
    ['a name sharing no word with any', account({ displayName: 'Grace Hopper' })],
    ['an externalId that is no object id', account({ externalId: 'E1234' })],
    ['an address nobody has', account({ emails: ['nobody@contoso.test'], userName: 'nobody@contoso.test' })],
  ])('finds none for %s', (_, view) => {
    expect(directory.candidateFor(view)).toBeUndefined();
  });
});

describe('names', () => {
  it.each([
    ["Zoë  O'Neil", 'zoe o neil'],
    ['ÅNGSTRÖM, Anders', 'angstrom anders'],
    ['  ', ''],
  ])('normalizes %j to %j', (name, normalized) => {
    expect(normalizeName(name)).toBe(normalized);
  });

  it('measures how alike two names are', () => {
    expect(similarity('zoe angstrom', 'zoe angstrom')).toBe(1);
    expect(similarity('abcd', 'abcf')).toBe(0.75);
    expect(similarity('', '')).toBe(1);
  });
});

describe('views through the default mappings', () => {
  const mapping = createMappingPort(DEFAULT_USER_MAPPINGS, { now: () => new Date(0), random: () => 0.5 });

  it('knows a directory user by its mapped userName and its addresses, proxy addresses included', () => {
    const seen = directoryEntry(
      {
        id: ZOE.id,
        type: 'user',
        attributes: {
          userPrincipalName: 'zangstrom@contoso.test',
          mail: 'zoe.angstrom@contoso.test',
          displayName: 'Zoë Ångström',
          proxyAddresses: ['SMTP:zoe.angstrom@contoso.test', 'smtp:za@fabrikam.test', 'x500:/o=contoso'],
          accountEnabled: true,
        },
      },
      mapping,
    );
    expect(seen).toMatchObject({ displayName: 'Zoë Ångström', matching: { userName: 'zangstrom@contoso.test' } });
    expect(seen.emails.sort()).toEqual(['za@fabrikam.test', 'zoe.angstrom@contoso.test']);
  });

  it('knows a target account by its userName, e-mail addresses, externalId and active', () => {
    const view = accountView(
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        id: 't1',
        userName: 'zoe@contoso.test',
        displayName: 'Zoe A.',
        externalId: 'zoe',
        active: false,
        emails: [{ value: 'zoe.angstrom@contoso.test', type: 'work' }, { type: 'home' }],
      },
      mapping,
    );
    expect(view).toEqual({
      userName: 'zoe@contoso.test',
      displayName: 'Zoe A.',
      externalId: 'zoe',
      emails: ['zoe.angstrom@contoso.test'],
      matching: { userName: 'zoe@contoso.test' },
      active: false,
    });
  });
});
