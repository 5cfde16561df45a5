import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsFileError, readAppsFile } from './apps-file';

const ENV = { GRAPH_SECRET: 'graph-secret-value', SERVICENOW_SCIM_TOKEN: 'scim-token-value', SN_PASSWORD: 'basic-password' };

const YAML = `
apps:
  servicenow:
    displayName: Contoso ServiceNow
    source:
      type: graph
      tenantId: contoso.onmicrosoft.com
      clientId: c1
      clientSecret: { env: GRAPH_SECRET }
    target:
      type: scim
      baseUrl: https://scim.example.com/v2/
      auth: { type: bearer, token: { env: SERVICENOW_SCIM_TOKEN } }
    schedule: { intervalMinutes: 15 }
`;

const JSON_APPS = {
  apps: {
    'sn-basic': {
      displayName: 'Basic',
      source: { type: 'graph', tenantId: 't', clientId: 'c', clientSecret: { env: 'GRAPH_SECRET' } },
      target: {
        type: 'scim',
        baseUrl: 'https://scim.example.com',
        auth: { type: 'basic', username: 'bot', password: { env: 'SN_PASSWORD' } },
      },
    },
  },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scimflow-apps-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The one line an AppsFileError says, without the file's name. */
function refusal(path: string, env: NodeJS.ProcessEnv = ENV): string {
  try {
    readAppsFile(path, env);
  } catch (error) {
    expect(error).toBeInstanceOf(AppsFileError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message.startsWith(`bad apps file ${path}: `)).toBe(true);
    return message.slice(`bad apps file ${path}: `.length);
  }
  throw new Error('the file was accepted');
}

describe('readAppsFile', () => {
  it('reads YAML: each app by its id, secrets from the environment, defaults filled in', async () => {
    const apps = readAppsFile(await file('apps.yaml', YAML), ENV);
    expect(apps).toHaveLength(1);
    expect(apps[0]!.id).toBe('servicenow');
    expect(apps[0]!.spec).toMatchObject({
      displayName: 'Contoso ServiceNow',
      source: { clientSecret: 'graph-secret-value', scope: 'all' },
      target: { baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 'scim-token-value' } },
      schedule: { intervalMinutes: 15 },
      deprovisioning: { threshold: 500 },
    });
  });

  it('reads JSON', async () => {
    const apps = readAppsFile(await file('apps.json', JSON.stringify(JSON_APPS)), ENV);
    expect(apps.map((app) => [app.id, app.spec.target.auth])).toEqual([
      ['sn-basic', { type: 'basic', username: 'bot', password: 'basic-password' }],
    ]);
  });

  const yamlWith = (from: string, to: string) => {
    expect(YAML).toContain(from);
    return YAML.replace(from, to);
  };

  it.each<[string, string, string]>([
    ['YAML that does not parse', 'apps:\n  servicenow: {displayName: [\n', 'not YAML: '],
    [
      'a missing environment variable',
      YAML,
      'app "servicenow": target.auth.token: the environment variable SERVICENOW_SCIM_TOKEN is not set',
    ],
    [
      'a secret written in the file',
      yamlWith('clientSecret: { env: GRAPH_SECRET }', 'clientSecret: plain-secret'),
      'app "servicenow": source.clientSecret: must be { env: VARIABLE }: secrets are never written in the apps file',
    ],
    [
      'a secret left out',
      yamlWith('      clientSecret: { env: GRAPH_SECRET }\n', ''),
      'app "servicenow": source.clientSecret: must be { env: VARIABLE }: secrets are never written in the apps file',
    ],
    ['a bad URL', yamlWith('https://scim.example.com/v2/', 'not-a-url'), 'app "servicenow": target.baseUrl: must be an absolute URL'],
    ['an unknown field', yamlWith('schedule:', 'schedul:'), 'app "servicenow": schedul: unknown field'],
    [
      'assigned scope without a service principal',
      yamlWith('clientId: c1', 'clientId: c1\n      scope: assigned'),
      'app "servicenow": source.servicePrincipalId: servicePrincipalId is required when scope is "assigned"',
    ],
    ['a bad app id', yamlWith('  servicenow:', '  "service now":'), 'app "service now": the app id must be 1 to 128 letters'],
    ['no apps key', 'servicenow: {}\n', 'servicenow: unknown field'],
  ])('refuses %s, naming the app and the field', async (_name, text, expected) => {
    const env = _name === 'a missing environment variable' ? { GRAPH_SECRET: 'x' } : ENV;
    expect(refusal(await file(`bad-${Math.random()}.yaml`, text), env)).toContain(expected);
  });

  it('refuses JSON that does not parse, and a JSON app with a bad field', async () => {
    expect(refusal(await file('broken.json', '{"apps": {'))).toMatch(/^not JSON: /);
    const bad = structuredClone(JSON_APPS) as any;
    bad.apps['sn-basic'].target.auth.username = 'a:b';
    expect(refusal(await file('bad.json', JSON.stringify(bad)))).toBe(
      'app "sn-basic": target.auth.username: username must not contain a colon',
    );
  });

  it('names every problem of every app on the one line', async () => {
    const two = `${YAML}  other:\n    displayName: ""\n`;
    const line = refusal(await file('two.yaml', two), {});
    expect(line).toContain('app "servicenow": source.clientSecret: the environment variable GRAPH_SECRET is not set');
    expect(line).toContain('app "other": displayName: displayName is required');
  });

  it('names a file that cannot be read', () => {
    expect(refusal(join(dir, 'missing.yaml'))).toBe('cannot be read (ENOENT)');
  });
});
