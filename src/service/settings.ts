/**
 * The service's settings, read from the environment and checked before anything starts: a bad
 * value is a SettingsError naming each variable and its problem (never a secret's value).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { weakTokenProblem } from '../auth/index';
import { parseSecretKey } from '../store/index';
import { parsePayloadKeys } from '../temporal/payload-keys';

const portNumber = (min: number) =>
  z.coerce
    .number({ error: `must be a port number from ${min} to 65535` })
    .int(`must be a port number from ${min} to 65535`)
    .min(min, `must be a port number from ${min} to 65535`)
    .max(65535, `must be a port number from ${min} to 65535`);
const port = (fallback: number, min = 1) => portNumber(min).default(fallback);

const wholeNumber = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`)
    .default(fallback);

/** `postgres://` or `postgresql://` followed by something `URL` can read. */
function isPostgresUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol, hostname, pathname } = new URL(value);
  return (protocol === 'postgres:' || protocol === 'postgresql:') && (hostname !== '' || pathname.length > 1);
}

function isSecretKey(value: string): boolean {
  try {
    parseSecretKey(value);
    return true;
  } catch {
    return false;
  }
}

/** The problem with a payload keyring, or undefined when it reads. */
function payloadKeysProblem(value: string): string | undefined {
  try {
    parsePayloadKeys(value, 'entry');
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^entry /, '');
  }
}

/** An http(s) origin: scheme, host and port only, e.g. `http://127.0.0.1:8233`. */
function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
}

const hostPort = (example: string) =>
  z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/, `must be host:port (e.g. ${example}), without a scheme`);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** What one process runs: everything (`npm start`), only the API, or only a worker. */
export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** A process of a role that others share a cluster with needs what they share. */
const SEPARATE = 'runs beside other scimflow processes, so it needs';

const settingsSchema = z
  .object({
    /** 0 picks a free port (the start-up banner shows which). */
    PORT: port(8080, 0),
    HOST: z.string().min(1).default('127.0.0.1'),
    SCIMFLOW_DATA_DIR: z.string().min(1).default('./.scimflow'),
    TEMPORAL_ADDRESS: hostPort('temporal:7233').optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('scimflow'),
    TEMPORAL_PORT: port(7233),
    TEMPORAL_UI_PORT: port(8233),
    DATABASE_URL: z.string().refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL').optional(),
    SCIMFLOW_SECRET_KEY: z.string().refine(isSecretKey, 'must be 32 bytes written as 64 hex characters or as base64').optional(),
    /** Keys that encrypt Temporal payloads: `id:key` entries, newest first (src/temporal/payload-keys.ts). */
    SCIMFLOW_PAYLOAD_KEYS: z
      .string()
      .superRefine((value, context) => {
        const problem = payloadKeysProblem(value);
        if (problem) context.addIssue({ code: 'custom', message: `must be id:key entries, newest first: ${problem}` });
      })
      .optional(),
    /** Origins (the Temporal UI's) allowed to call the codec endpoint from a browser; default the local dev server's UI. */
    SCIMFLOW_CODEC_CORS_ORIGINS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim().replace(/\/$/, ''))
          .filter(Boolean),
      )
      .refine(
        (origins) => origins.length > 0 && origins.every(isOrigin),
        'must be http(s) origins separated by commas, e.g. http://localhost:8233',
      )
      .optional(),
    /** The bootstrap admin token: at least 128 bits of entropy (22 random base64url characters). */
    SCIMFLOW_ADMIN_TOKEN: z
      .string()
      .superRefine((value, context) => {
        const problem = weakTokenProblem(value);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    SCIMFLOW_ALERT_WEBHOOK_URL: z.url({ message: 'must be an absolute http(s) URL', protocol: /^https?$/ }).optional(),
    /** Keys the HMAC-SHA256 signature of every webhook alert (required with the webhook URL). */
    SCIMFLOW_ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Where alert e-mails are sent from: `smtp://` (STARTTLS when offered) or `smtps://`, with user:password if the server asks. */
    SCIMFLOW_SMTP_URL: z.url({ message: 'must be an smtp:// or smtps:// URL', protocol: /^smtps?$/ }).optional(),
    SCIMFLOW_ALERT_MAIL_FROM: z.email({ message: 'must be an e-mail address' }).optional(),
    /** One or more addresses, comma-separated. */
    SCIMFLOW_ALERT_MAIL_TO: z
      .string()
      .refine(
        (value) => value.split(',').every((address) => z.email().safeParse(address.trim()).success),
        'must be e-mail addresses separated by commas',
      )
      .transform((value) => value.split(',').map((address) => address.trim()))
      .optional(),
    /** Apps declared in a YAML or JSON file, created or updated at start (src/config/apps-file.ts). */
    SCIMFLOW_APPS_FILE: z.string().min(1).optional(),
    SCIMFLOW_CONCURRENCY: wholeNumber(8, 1, 64),
    SCIMFLOW_SHUTDOWN_SECONDS: wholeNumber(30, 5, 3600),
    /** `GET /metrics` without a token on this port too (on HOST; 0 picks a free one); keep it internal. */
    SCIMFLOW_METRICS_PORT: portNumber(0).optional(),
    /** Where the Temporal SDK serves its worker metrics for Prometheus (host:port). */
    SCIMFLOW_TEMPORAL_METRICS_ADDRESS: hostPort('0.0.0.0:9464').optional(),
    /** Days the provisioning log is kept; older entries are purged every hour. */
    SCIMFLOW_LOG_RETENTION_DAYS: wholeNumber(30, 1, 3650),
    /** Days the audit log is kept; older entries are purged by the same schedule. */
    SCIMFLOW_AUDIT_RETENTION_DAYS: wholeNumber(365, 1, 3650),
    /** OpenTelemetry traces go to this OTLP/HTTP collector when set. */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ message: 'must be an absolute http(s) URL', protocol: /^https?$/ }).optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    /** `api` and `worker` run apart, any number of each, against one Temporal cluster and one PostgreSQL. */
    SCIMFLOW_ROLE: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }).default('all'),
  })
  .refine((settings) => settings.SCIMFLOW_ROLE === 'all' || settings.TEMPORAL_ADDRESS !== undefined, {
    path: ['TEMPORAL_ADDRESS'],
    message: `must be set for SCIMFLOW_ROLE api or worker: such a process ${SEPARATE} a Temporal cluster, not a dev server of its own`,
  })
  .refine((settings) => settings.SCIMFLOW_ROLE === 'all' || settings.SCIMFLOW_SECRET_KEY !== undefined, {
    path: ['SCIMFLOW_SECRET_KEY'],
    message: `must be set for SCIMFLOW_ROLE api or worker: such a process ${SEPARATE} the same key as the others, not one generated for itself`,
  })
  .refine((settings) => settings.SCIMFLOW_ROLE === 'all' || settings.SCIMFLOW_PAYLOAD_KEYS !== undefined, {
    path: ['SCIMFLOW_PAYLOAD_KEYS'],
    message: `must be set for SCIMFLOW_ROLE api or worker: such a process ${SEPARATE} the same keys as the others, not ones generated for itself`,
  })
  .refine((settings) => settings.SCIMFLOW_ROLE === 'all' || settings.DATABASE_URL !== undefined, {
    path: ['DATABASE_URL'],
    message: `must be set for SCIMFLOW_ROLE api or worker: such a process ${SEPARATE} PostgreSQL, not an embedded database of its own`,
  })
  .superRefine((settings, ctx) => {
    const required = (variable: keyof typeof settings, withVariable: string) =>
      settings[variable] === undefined && ctx.addIssue({ code: 'custom', path: [variable], message: `is required with ${withVariable}` });
    if (settings.SCIMFLOW_ALERT_WEBHOOK_URL !== undefined)
      required('SCIMFLOW_ALERT_WEBHOOK_SECRET', 'SCIMFLOW_ALERT_WEBHOOK_URL (receivers check the signature with it)');
    if (settings.SCIMFLOW_SMTP_URL !== undefined) {
      required('SCIMFLOW_ALERT_MAIL_FROM', 'SCIMFLOW_SMTP_URL');
      required('SCIMFLOW_ALERT_MAIL_TO', 'SCIMFLOW_SMTP_URL');
    }
  })
  .refine(
    (settings) =>
      settings.SCIMFLOW_METRICS_PORT === undefined ||
      settings.SCIMFLOW_METRICS_PORT === 0 ||
      settings.SCIMFLOW_METRICS_PORT !== settings.PORT,
    {
      path: ['SCIMFLOW_METRICS_PORT'],
      message: 'must differ from PORT (the API serves /metrics with the admin token already)',
    },
  );

/** Variables whose value never appears in a message: it may be, or hold, a credential. */
const SECRET = new Set([
  'DATABASE_URL',
  'SCIMFLOW_SANDBOX_SCIM_TOKEN',
  'SCIMFLOW_SECRET_KEY',
  'SCIMFLOW_PAYLOAD_KEYS',
  'SCIMFLOW_ADMIN_TOKEN',
  'SCIMFLOW_ALERT_WEBHOOK_URL',
  'SCIMFLOW_ALERT_WEBHOOK_SECRET',
  'SCIMFLOW_SMTP_URL',
]);

export type Settings = z.output<typeof settingsSchema> & { dataDir: string };

/** Settings that cannot be used; `message` is one line naming each variable and its problem. */
export class SettingsError extends Error {
  constructor(readonly problems: { variable: string; problem: string }[]) {
    super(`bad setting${problems.length > 1 ? 's' : ''}: ${problems.map(({ variable, problem }) => `${variable} ${problem}`).join('; ')}`);
    this.name = 'SettingsError';
  }
}

/**
 * Reads and checks the settings; throws a SettingsError for bad values.
 *
 * @example
 * readSettings({ PORT: 'abc' }); // SettingsError: bad setting: PORT must be a port number from 0 to 65535 (got "abc")
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = checked(settingsSchema, env);
  return { ...parsed, dataDir: resolve(parsed.SCIMFLOW_DATA_DIR) };
}

const demoSettingsSchema = z.object({
  /** The demo's data dir: the service's (embedded database, dev server), the sandbox's CA and the apps file. */
  SCIMFLOW_DEMO_DIR: z.string().min(1).default('./.scimflow-demo'),
  /** The sandbox Graph's loopback port (0: a free one). */
  SCIMFLOW_SANDBOX_PORT: port(0, 0),
  /** scim2-server's loopback port (a free one when absent). */
  SCIMFLOW_SANDBOX_SCIM_PORT: portNumber(1).optional(),
  /** The bearer token scim2-server accepts (a random one when absent). */
  SCIMFLOW_SANDBOX_SCIM_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type DemoSettings = z.output<typeof demoSettingsSchema> & { demoDir: string };

/** Reads and checks the settings of `npm run demo` (the service's own are checked by the service); throws a SettingsError. */
export function readDemoSettings(env: NodeJS.ProcessEnv = process.env): DemoSettings {
  const parsed = checked(demoSettingsSchema, env);
  return { ...parsed, demoDir: resolve(parsed.SCIMFLOW_DEMO_DIR) };
}

/** The variables a schema reads, parsed; a SettingsError naming each bad one (an empty value counts as unset). */
function checked<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(blankless);
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((issue) => {
        const variable = issue.path.join('.');
        const value = blankless[variable];
        const shown = value !== undefined && !SECRET.has(variable) ? ` (got ${JSON.stringify(value.slice(0, 80))})` : '';
        return { variable, problem: `${issue.message}${shown}` };
      }),
    );
  }
  return parsed.data;
}
