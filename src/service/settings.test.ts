import { describe, expect, it } from 'vitest';
import { readDemoSettings, readSettings, SettingsError } from './settings';

function problemOf(env: Record<string, string>): string {
  try {
    readSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as SettingsError).message;
  }
  throw new Error('the settings were accepted');
}

describe('readSettings', () => {
  it('takes the defaults from an empty environment', () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({
      PORT: 8080,
      HOST: '127.0.0.1',
      TEMPORAL_PORT: 7233,
      SCIMFLOW_SHUTDOWN_SECONDS: 30,
      SCIMFLOW_LOG_RETENTION_DAYS: 30,
      LOG_LEVEL: 'info',
    });
    expect(settings.dataDir).toMatch(/\.scimflow$/);
  });

  it('takes good values, and PORT=0 for a free port', () => {
    const settings = readSettings({
      PORT: '0',
      TEMPORAL_ADDRESS: 'temporal.example.com:7233',
      DATABASE_URL: 'postgres://scimflow:pw@db:5432/scimflow',
      SCIMFLOW_SECRET_KEY: 'ab'.repeat(32),
    });
    expect(settings).toMatchObject({ PORT: 0, TEMPORAL_ADDRESS: 'temporal.example.com:7233' });
    expect(readSettings({ SCIMFLOW_LOG_RETENTION_DAYS: '7' }).SCIMFLOW_LOG_RETENTION_DAYS).toBe(7);
    expect(
      readSettings({ SCIMFLOW_CODEC_CORS_ORIGINS: 'https://temporal.example.com/, http://localhost:8080' }).SCIMFLOW_CODEC_CORS_ORIGINS,
    ).toEqual(['https://temporal.example.com', 'http://localhost:8080']);
    expect(readSettings({ TEMPORAL_ADDRESS: '[::1]:7233', SCIMFLOW_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') })).toBeDefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'bad setting: PORT must be a port number from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'bad setting: PORT must be a port number from 0 to 65535 (got "70000")'],
    [{ TEMPORAL_UI_PORT: '1.5' }, 'bad setting: TEMPORAL_UI_PORT must be a port number from 1 to 65535 (got "1.5")'],
    [
      { TEMPORAL_ADDRESS: 'http://temporal:7233' },
      'bad setting: TEMPORAL_ADDRESS must be host:port (e.g. temporal:7233), without a scheme (got "http://temporal:7233")',
    ],
    [{ DATABASE_URL: 'not a url' }, 'bad setting: DATABASE_URL must be a postgres:// or postgresql:// URL'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'bad setting: DATABASE_URL must be a postgres:// or postgresql:// URL'],
    [{ SCIMFLOW_SECRET_KEY: 'too-short' }, 'bad setting: SCIMFLOW_SECRET_KEY must be 32 bytes written as 64 hex characters or as base64'],
    [
      { SCIMFLOW_PAYLOAD_KEYS: `k1:${'ab'.repeat(32)},k2:hunter2` },
      'bad setting: SCIMFLOW_PAYLOAD_KEYS must be id:key entries, newest first: key "k2" must be 32 bytes written as 64 hex characters or base64',
    ],
    [
      { SCIMFLOW_PAYLOAD_KEYS: 'ab'.repeat(32) },
      "bad setting: SCIMFLOW_PAYLOAD_KEYS must be id:key entries, newest first: entry 1 must be id:key with an id of letters, digits, '.', '_' or '-' (at most 64)",
    ],
    [
      { SCIMFLOW_CODEC_CORS_ORIGINS: 'http://localhost:8233,localhost:8080' },
      'bad setting: SCIMFLOW_CODEC_CORS_ORIGINS must be http(s) origins separated by commas, e.g. http://localhost:8233 (got "http://localhost:8233,localhost:8080")',
    ],
    [
      { SCIMFLOW_ADMIN_TOKEN: 'short' },
      'bad setting: SCIMFLOW_ADMIN_TOKEN has fewer than 128 bits of entropy: use at least 22 random base64url characters, e.g. `openssl rand -base64 32`',
    ],
    [
      { SCIMFLOW_ADMIN_TOKEN: 'changeme-changeme-changeme-changeme' },
      'bad setting: SCIMFLOW_ADMIN_TOKEN is a low-entropy value (few distinct characters or a repeated pattern): use at least 22 random base64url characters, e.g. `openssl rand -base64 32`',
    ],
    [
      { SCIMFLOW_ALERT_WEBHOOK_URL: 'ftp://x', SCIMFLOW_ALERT_WEBHOOK_SECRET: 'a-long-enough-secret' },
      'bad setting: SCIMFLOW_ALERT_WEBHOOK_URL must be an absolute http(s) URL',
    ],
    [
      { SCIMFLOW_ALERT_WEBHOOK_URL: 'https://hooks.example.com/x' },
      'bad setting: SCIMFLOW_ALERT_WEBHOOK_SECRET is required with SCIMFLOW_ALERT_WEBHOOK_URL (receivers check the signature with it)',
    ],
    [
      { SCIMFLOW_ALERT_WEBHOOK_URL: 'https://hooks.example.com/x', SCIMFLOW_ALERT_WEBHOOK_SECRET: 'hunter2' },
      'bad setting: SCIMFLOW_ALERT_WEBHOOK_SECRET must be at least 16 characters',
    ],
    [
      { SCIMFLOW_SMTP_URL: 'https://mail.example.com', SCIMFLOW_ALERT_MAIL_FROM: 'a@example.com', SCIMFLOW_ALERT_MAIL_TO: 'b@example.com' },
      'bad setting: SCIMFLOW_SMTP_URL must be an smtp:// or smtps:// URL',
    ],
    [
      { SCIMFLOW_SMTP_URL: 'smtp://mail.example.com:587' },
      'bad settings: SCIMFLOW_ALERT_MAIL_FROM is required with SCIMFLOW_SMTP_URL; SCIMFLOW_ALERT_MAIL_TO is required with SCIMFLOW_SMTP_URL',
    ],
    [{ SCIMFLOW_ALERT_MAIL_FROM: 'scimflow' }, 'bad setting: SCIMFLOW_ALERT_MAIL_FROM must be an e-mail address (got "scimflow")'],
    [
      { SCIMFLOW_ALERT_MAIL_TO: 'ops@example.com, nobody' },
      'bad setting: SCIMFLOW_ALERT_MAIL_TO must be e-mail addresses separated by commas (got "ops@example.com, nobody")',
    ],
    [{ SCIMFLOW_CONCURRENCY: '0' }, 'bad setting: SCIMFLOW_CONCURRENCY must be a whole number from 1 to 64 (got "0")'],
    [{ SCIMFLOW_SHUTDOWN_SECONDS: 'soon' }, 'bad setting: SCIMFLOW_SHUTDOWN_SECONDS must be a whole number from 5 to 3600 (got "soon")'],
    [{ SCIMFLOW_METRICS_PORT: 'x' }, 'bad setting: SCIMFLOW_METRICS_PORT must be a port number from 0 to 65535 (got "x")'],
    [
      { PORT: '9000', SCIMFLOW_METRICS_PORT: '9000' },
      'bad setting: SCIMFLOW_METRICS_PORT must differ from PORT (the API serves /metrics with the admin token already) (got "9000")',
    ],
    [
      { SCIMFLOW_TEMPORAL_METRICS_ADDRESS: 'http://0.0.0.0:9464' },
      'bad setting: SCIMFLOW_TEMPORAL_METRICS_ADDRESS must be host:port (e.g. 0.0.0.0:9464), without a scheme (got "http://0.0.0.0:9464")',
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      'bad setting: OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http(s) URL (got "collector:4318")',
    ],
    [{ SCIMFLOW_LOG_RETENTION_DAYS: '0' }, 'bad setting: SCIMFLOW_LOG_RETENTION_DAYS must be a whole number from 1 to 3650 (got "0")'],
    [{ SCIMFLOW_LOG_RETENTION_DAYS: '7.5' }, 'bad setting: SCIMFLOW_LOG_RETENTION_DAYS must be a whole number from 1 to 3650 (got "7.5")'],
    [{ LOG_LEVEL: 'loud' }, 'bad setting: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
  ])('refuses %j in one line naming the variable: %s', (env, message) => {
    expect(problemOf(env)).toBe(message);
  });

  it('runs everything in one process unless SCIMFLOW_ROLE says api or worker, which need a shared Temporal and PostgreSQL', () => {
    expect(readSettings({}).SCIMFLOW_ROLE).toBe('all');
    const shared = {
      TEMPORAL_ADDRESS: 'temporal:7233',
      DATABASE_URL: 'postgres://scimflow@db/scimflow',
      SCIMFLOW_SECRET_KEY: 'ab'.repeat(32),
      SCIMFLOW_PAYLOAD_KEYS: `k1:${'cd'.repeat(32)}`,
    };
    expect(readSettings({ ...shared, SCIMFLOW_ROLE: 'worker' }).SCIMFLOW_ROLE).toBe('worker');
    expect(problemOf({ SCIMFLOW_ROLE: 'both' })).toBe('bad setting: SCIMFLOW_ROLE must be one of all, api, worker (got "both")');
    expect(problemOf({ ...shared, SCIMFLOW_ROLE: 'api', TEMPORAL_ADDRESS: '' })).toBe(
      'bad setting: TEMPORAL_ADDRESS must be set for SCIMFLOW_ROLE api or worker: such a process runs beside other scimflow processes, so it needs a Temporal cluster, not a dev server of its own',
    );
    expect(problemOf({ ...shared, SCIMFLOW_ROLE: 'worker', DATABASE_URL: '' })).toMatch(
      /^bad setting: DATABASE_URL must be set for SCIMFLOW_ROLE/,
    );
    expect(problemOf({ ...shared, SCIMFLOW_ROLE: 'worker', SCIMFLOW_PAYLOAD_KEYS: '' })).toMatch(
      /^bad setting: SCIMFLOW_PAYLOAD_KEYS must be set/,
    );
    expect(problemOf({ ...shared, SCIMFLOW_ROLE: 'worker', SCIMFLOW_SECRET_KEY: '' })).toMatch(
      /^bad setting: SCIMFLOW_SECRET_KEY must be set/,
    );
  });

  it('reads the alert channels', () => {
    const settings = readSettings({
      SCIMFLOW_ALERT_WEBHOOK_URL: 'https://hooks.example.com/x',
      SCIMFLOW_ALERT_WEBHOOK_SECRET: 'a-long-enough-secret',
      SCIMFLOW_SMTP_URL: 'smtps://alerts:pw@mail.example.com',
      SCIMFLOW_ALERT_MAIL_FROM: 'scimflow@example.com',
      SCIMFLOW_ALERT_MAIL_TO: 'ops@example.com, oncall@example.com',
    });
    expect(settings.SCIMFLOW_ALERT_MAIL_TO).toEqual(['ops@example.com', 'oncall@example.com']);
    expect(problemOf({ SCIMFLOW_SMTP_URL: 'smtp://alerts:hunter2@mail' })).not.toContain('hunter2');
  });

  it('names every bad variable on one line, and never a secret value', () => {
    const message = problemOf({ PORT: 'abc', DATABASE_URL: 'postgres//user:hunter2@db', SCIMFLOW_SECRET_KEY: 'hunter2' });
    expect(message).toMatch(/^bad settings: PORT .*; DATABASE_URL .*; SCIMFLOW_SECRET_KEY .*$/);
    expect(message).not.toContain('\n');
    expect(message).not.toContain('hunter2');
  });
});

describe('readDemoSettings', () => {
  it('takes the defaults from an empty environment, and good values', () => {
    const defaults = readDemoSettings({});
    expect(defaults).toMatchObject({ SCIMFLOW_SANDBOX_PORT: 0 });
    expect(defaults.SCIMFLOW_SANDBOX_SCIM_PORT).toBeUndefined();
    expect(defaults.demoDir).toMatch(/\.scimflow-demo$/);
    expect(
      readDemoSettings({ SCIMFLOW_DEMO_DIR: '/tmp/d', SCIMFLOW_SANDBOX_PORT: '9443', SCIMFLOW_SANDBOX_SCIM_PORT: '9080' }),
    ).toMatchObject({ demoDir: '/tmp/d', SCIMFLOW_SANDBOX_PORT: 9443, SCIMFLOW_SANDBOX_SCIM_PORT: 9080 });
  });

  it('names each bad variable, and never the token', () => {
    let message = '';
    try {
      readDemoSettings({ SCIMFLOW_SANDBOX_PORT: '70000', SCIMFLOW_SANDBOX_SCIM_PORT: '0', SCIMFLOW_SANDBOX_SCIM_TOKEN: 'hunter2' });
    } catch (error) {
      expect(error).toBeInstanceOf(SettingsError);
      message = (error as SettingsError).message;
    }
    expect(message).toBe(
      'bad settings: SCIMFLOW_SANDBOX_PORT must be a port number from 0 to 65535 (got "70000"); ' +
        'SCIMFLOW_SANDBOX_SCIM_PORT must be a port number from 1 to 65535 (got "0"); SCIMFLOW_SANDBOX_SCIM_TOKEN must be at least 16 characters',
    );
  });
});
