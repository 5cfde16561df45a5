import { describe, expect, it } from 'vitest';
import { appInputSchema, splitSecrets, type AppConfig, type AppInput } from './app';
import { diffConfig, planConfig } from './changes';
import { exportConfig } from './document';

const INPUT: AppInput = {
  displayName: 'Contoso Slack',
  source: { type: 'graph', tenantId: 'contoso.onmicrosoft.com', clientId: 'c1', clientSecret: 'graph-secret' },
  target: { type: 'scim', baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 'scim-token' } },
};

/** The app as the store would hold it after creating it from `input`. */
function stored(input: AppInput, extra: Partial<AppConfig> = {}) {
  const { config, secrets } = splitSecrets(appInputSchema.parse(input));
  return {
    app: {
      ...config,
      id: 'slack',
      configVersion: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      ...extra,
    },
    secrets,
  };
}

describe('diffConfig', () => {
  const before = stored(INPUT);
  it.each<[string, AppInput, unknown[]]>([
    ['nothing', INPUT, []],
    ['a value', { ...INPUT, schedule: { intervalMinutes: 5 } }, [{ path: 'schedule.intervalMinutes', before: 40, after: 5 }]],
    [
      'a field set and a field added',
      { ...INPUT, lifecycle: { leadTimeDays: 2 }, displayName: 'Slack' },
      [
        { path: 'displayName', before: 'Contoso Slack', after: 'Slack' },
        { path: 'lifecycle', after: { leadTimeDays: 2 } },
      ],
    ],
    [
      'a mapping added',
      { ...INPUT, mappings: { user: [{ type: 'direct', source: 'mail', target: 'userName', matchingPrecedence: 1 }] } },
      [
        {
          path: 'mappings.user',
          after: [{ type: 'direct', source: 'mail', target: 'userName', matchingPrecedence: 1, applyOn: 'always' }],
        },
      ],
    ],
    [
      'a secret replaced (its values never shown)',
      { ...INPUT, source: { ...INPUT.source, clientSecret: 'rotated' } },
      [{ path: 'source.clientSecret', secret: 'replaced' }],
    ],
    [
      'another auth type',
      { ...INPUT, target: { ...INPUT.target, auth: { type: 'basic', username: 'bot', password: 'pw' } } },
      [
        { path: 'target.auth.password', secret: 'set' },
        { path: 'target.auth.token', secret: 'removed' },
        { path: 'target.auth.type', before: 'bearer', after: 'basic' },
        { path: 'target.auth.username', after: 'bot' },
      ],
    ],
  ])('finds %s', (_name, input, expected) => {
    const after = stored(input);
    const changes = diffConfig(before.app, before.secrets, after.app, after.secrets);
    expect(changes).toMatchObject(expected);
    expect(changes).toHaveLength(expected.length);
    expect(JSON.stringify(changes)).not.toMatch(/graph-secret|scim-token|rotated|"pw"/);
  });

  it('finds an item changed inside a list by its index', () => {
    const mapped = (target: string): AppInput => ({
      ...INPUT,
      mappings: {
        user: [
          { type: 'direct', source: 'mail', target: 'userName' },
          { type: 'direct', source: 'surname', target },
        ],
      },
    });
    const a = stored(mapped('name.familyName'));
    const b = stored(mapped('displayName'));
    expect(diffConfig(a.app, a.secrets, b.app, b.secrets)).toEqual([
      { path: 'mappings.user.1.target', before: 'name.familyName', after: 'displayName' },
    ]);
  });

  it('sees no change in the order of keys, nor in a field an older app left out that has its default', () => {
    const legacy = stored(INPUT);
    delete (legacy.app as Partial<AppConfig>).groups;
    const reordered = {
      ...legacy.app,
      schedule: { ...legacy.app.schedule },
      source: Object.fromEntries(Object.entries(legacy.app.source).reverse()),
    } as AppConfig;
    expect(diffConfig(legacy.app, legacy.secrets, stored(INPUT).app, legacy.secrets)).toEqual([]);
    expect(diffConfig(reordered, legacy.secrets, legacy.app, legacy.secrets)).toEqual([]);
  });
});

describe('planConfig', () => {
  it('writes nothing when nothing changes, and keeps what the connection test discovered', () => {
    const current = stored(INPUT, { capabilities: { overrides: {}, discovered: { patch: true } as never } });
    expect(planConfig(current, appInputSchema.parse(INPUT))).toEqual({ outcome: 'unchanged', changes: [] });
    const renamed = planConfig(current, appInputSchema.parse({ ...INPUT, displayName: 'Renamed' }));
    expect(renamed.write?.config.capabilities).toEqual({ overrides: {}, discovered: { patch: true } });
    expect(renamed.write?.bumpConfigVersion).toBe(false);
  });

  it.each<[string, AppInput, boolean]>([
    [
      'a mapping change',
      { ...INPUT, mappings: { user: [{ type: 'direct', source: 'mail', target: 'userName', matchingPrecedence: 1 }] } },
      true,
    ],
    [
      'a scoping change',
      { ...INPUT, scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'Sales' }] }] } } },
      true,
    ],
    ['a source scope change', { ...INPUT, source: { ...INPUT.source, scope: 'assigned', servicePrincipalId: 'sp' } }, true],
    ['a schedule change', { ...INPUT, schedule: { intervalMinutes: 5 } }, false],
    ['a secret change', { ...INPUT, target: { ...INPUT.target, auth: { type: 'bearer', token: 'new' } } }, false],
  ])('%s makes the next cycle initial: %s', (_name, input, initial) => {
    const plan = planConfig(stored(INPUT), appInputSchema.parse(input));
    expect(plan.outcome).toBe('updated');
    expect(plan.write?.bumpConfigVersion).toBe(initial);
  });

  it('lists every field of a new app and its secrets as set', () => {
    const plan = planConfig(undefined, appInputSchema.parse(INPUT));
    expect(plan.outcome).toBe('created');
    expect(plan.changes.map((change) => change.path)).toEqual(
      [...Object.keys(exportConfig(stored(INPUT).app, { secretMarkers: false })), 'source.clientSecret', 'target.auth.token'].sort(),
    );
  });
});
