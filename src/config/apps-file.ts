/**
 * The apps file (`SCIMFLOW_APPS_FILE`, YAML or JSON): apps declared by id, each a configuration
 * document (src/config/document.ts) whose secrets name the environment variables that hold
 * them. It is read and checked whole before anything starts: a bad file is one AppsFileError.
 *
 * ```yaml
 * apps:
 *   servicenow:
 *     displayName: Contoso ServiceNow
 *     source: { type: graph, tenantId: contoso.onmicrosoft.com, clientId: "…", clientSecret: { env: GRAPH_CLIENT_SECRET } }
 *     target: { type: scim, baseUrl: "https://…", auth: { type: bearer, token: { env: SERVICENOW_SCIM_TOKEN } } }
 * ```
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { AppSpec } from './app';
import { APP_ID_PATTERN, APP_ID_RULE } from './apply';
import { configDocumentSchema, fillSecrets } from './document';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A secret in the file: the name of the environment variable that holds it, never the secret. */
const fileSecretSlot = z.strictObject(
  {
    env: z
      .string({ error: 'env must name an environment variable' })
      .regex(ENV_NAME, 'env must name an environment variable (letters, digits and _)'),
  },
  { error: 'must be { env: VARIABLE }: secrets are never written in the apps file' },
);

const fileAppSchema = configDocumentSchema(fileSecretSlot);

const fileSchema = z.strictObject(
  { apps: z.record(z.string(), z.unknown(), { error: 'apps must map each app id to its configuration' }) },
  { error: 'the file must hold an object with "apps"' },
);

/** One app the file declares. */
export interface DeclaredApp {
  id: string;
  spec: AppSpec;
}

/** An apps file that cannot be used; `message` is one line naming the file, and each app and field at fault. */
export class AppsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { app?: string; field?: string; message: string }[],
  ) {
    const named = problems.map(({ app, field, message }) => [app && `app "${app}"`, field, message].filter(Boolean).join(': '));
    super(`bad apps file ${file}: ${named.join('; ')}`);
    this.name = 'AppsFileError';
  }
}

/** The file's text as a value: JSON for `.json`, YAML (which JSON also is) for anything else. */
function parseText(file: string, text: string): unknown {
  try {
    return extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    throw new AppsFileError(file, [{ message: `not ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${message}` }]);
  }
}

const pathOf = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** A failed parse's problems, each naming its field (none for the value itself). */
function issues(error: z.ZodError): { field?: string; message: string }[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: pathOf([...issue.path, key]), message: 'unknown field' }))
      : [{ ...(issue.path.length > 0 && { field: pathOf(issue.path) }), message: issue.message }],
  );
}

/**
 * Reads, checks and resolves an apps file: every app valid, every secret's variable set in `env`.
 *
 * @example
 * readAppsFile('apps.yaml', process.env) // [{ id: 'servicenow', spec: { displayName: 'Contoso ServiceNow', … } }]
 * // AppsFileError: bad apps file apps.yaml: app "servicenow": target.auth.token: the environment variable SERVICENOW_SCIM_TOKEN is not set
 */
export function readAppsFile(file: string, env: NodeJS.ProcessEnv = process.env): DeclaredApp[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppsFileError(file, [{ message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  return parseApps(file, parseText(file, text), env);
}

/** The apps of a file's parsed content; `file` names it in errors. */
export function parseApps(file: string, content: unknown, env: NodeJS.ProcessEnv): DeclaredApp[] {
  const top = fileSchema.safeParse(content);
  if (!top.success) throw new AppsFileError(file, issues(top.error));
  const problems: { app: string; field?: string; message: string }[] = [];
  const apps: DeclaredApp[] = [];
  for (const [id, declared] of Object.entries(top.data.apps)) {
    if (!APP_ID_PATTERN.test(id)) {
      problems.push({ app: id, message: `the app id ${APP_ID_RULE}` });
      continue;
    }
    const parsed = fileAppSchema.safeParse(declared);
    if (!parsed.success) {
      problems.push(...issues(parsed.error).map((problem) => ({ app: id, ...problem })));
      continue;
    }
    const filled = fillSecrets(parsed.data, (slot) => {
      const name = (slot as { env: string }).env;
      const value = env[name];
      return value === undefined || value === '' ? { problem: `the environment variable ${name} is not set` } : value;
    });
    if (filled.spec) apps.push({ id, spec: filled.spec });
    else problems.push(...filled.problems.map(({ path, message }) => ({ app: id, field: path, message })));
  }
  if (problems.length > 0) throw new AppsFileError(file, problems);
  return apps;
}
