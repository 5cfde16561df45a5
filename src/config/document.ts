/**
 * An app's configuration as a document: what `GET /apps/{id}/config` exports, `PUT` applies and
 * an apps file (`SCIMFLOW_APPS_FILE`) declares. It is the app body of `POST /apps` (the schema
 * in app.ts, so a field added there is part of it) with each secret in a slot of its own: in the
 * API a new value, `{ "stored": true }` or nothing (keep the stored one); in a file the name of an
 * environment variable that holds it.
 */
import { z } from 'zod';
import {
  appChecks,
  appInputSchema,
  graphSourceSchema,
  scimTargetSchema,
  targetAuthSchema,
  type AppConfig,
  type AppSecrets,
  type AppSpec,
} from './app';

/** A problem with one field of a document, named by its dotted path (`target.auth.token`). */
export interface FieldError {
  path: string;
  message: string;
}

/** The marker an exported document holds where a secret is set. */
export const STORED_SECRET = { stored: true } as const;

type AuthType = AppSpec['target']['auth']['type'];
type SecretKey = keyof AppSecrets;

/** Where a secret sits in the document, and which of the app's stored secrets it is. */
export interface SecretSlot {
  path: readonly ['source', 'clientSecret'] | readonly ['target', 'auth', 'token' | 'clientSecret' | 'password'];
  key: SecretKey;
}

const SOURCE_SLOT: SecretSlot = { path: ['source', 'clientSecret'], key: 'clientSecret' };
const TARGET_SLOTS: Record<AuthType, SecretSlot> = {
  bearer: { path: ['target', 'auth', 'token'], key: 'targetToken' },
  oauth2: { path: ['target', 'auth', 'clientSecret'], key: 'targetClientSecret' },
  basic: { path: ['target', 'auth', 'password'], key: 'targetPassword' },
};

/** The secret slots of an app whose target authenticates with `authType`. */
export function secretSlots(authType: AuthType): SecretSlot[] {
  return [SOURCE_SLOT, TARGET_SLOTS[authType]];
}

/** Every slot a secret can be in, whatever the auth type. */
export const ALL_SECRET_SLOTS: readonly SecretSlot[] = [SOURCE_SLOT, ...Object.values(TARGET_SLOTS)];

export const slotName = (slot: SecretSlot): string => slot.path.join('.');

/**
 * The document schema with `slot` in the place of every secret: the app schema itself, its
 * refinements included, so it names bad fields exactly as `POST /apps` does.
 */
export function configDocumentSchema<S extends z.ZodType>(slot: S) {
  const [bearer, oauth2, basic] = targetAuthSchema.options;
  const auth = z.discriminatedUnion('type', [
    bearer.extend({ token: slot }),
    oauth2.extend({ clientSecret: slot }),
    basic.extend({ password: slot }),
  ]);
  return z
    .strictObject({
      ...appInputSchema.shape,
      source: graphSourceSchema.extend({ clientSecret: slot }),
      target: scimTargetSchema.extend({ auth }),
    })
    .superRefine(appChecks);
}

/** A secret in a `PUT` body: a new value, or the marker (or nothing) to keep the stored one. */
export const apiSecretSlot = z
  .union(
    [
      z.string().min(1, 'must not be empty: give the new value, or { "stored": true } (or nothing) to keep the stored one'),
      z.strictObject({ stored: z.literal(true) }),
    ],
    {
      error: 'must be the new secret, or { "stored": true } (or nothing) to keep the stored one',
    },
  )
  .optional();

/** The document `PUT /apps/{id}/config` takes and `GET` gives. */
export const apiConfigDocumentSchema = configDocumentSchema(apiSecretSlot);
export type ConfigDocument = z.input<typeof apiConfigDocumentSchema>;

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `value` cut down to what `schema` declares: object keys it does not know are left out (a stored
 * app also holds what the service keeps with it, such as the discovered capabilities), the
 * branch of a discriminated union is the one the value names, anything else is kept whole.
 *
 * @example projectOnto(z.object({ a: z.object({ b: z.number() }) }), { a: { b: 1, c: 2 }, d: 3 }) // { a: { b: 1 } }
 */
export function projectOnto(schema: z.ZodType, value: unknown): unknown {
  const def = schema._zod.def as unknown as { type: string; [key: string]: unknown };
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
      return projectOnto(def.innerType as z.ZodType, value);
    case 'pipe':
      return projectOnto(def.in as z.ZodType, value);
    case 'object': {
      if (!isPlain(value)) return value;
      const shape = def.shape as Record<string, z.ZodType>;
      return Object.fromEntries(
        Object.entries(value).flatMap(([key, item]) => (key in shape ? [[key, projectOnto(shape[key]!, item)]] : [])),
      );
    }
    case 'union': {
      const discriminator = def.discriminator as string | undefined;
      if (discriminator === undefined || !isPlain(value)) return value;
      const option = (def.options as z.ZodType[]).find((candidate) => {
        const field = (candidate._zod.def as unknown as { shape?: Record<string, z.ZodType> }).shape?.[discriminator];
        return (
          field?._zod.def.type === 'literal' && (field._zod.def as unknown as { values: unknown[] }).values.includes(value[discriminator])
        );
      });
      return option ? projectOnto(option, value) : value;
    }
    default:
      return value;
  }
}

/**
 * The app's configuration as a document: every field of the app schema it holds, and
 * `{ "stored": true }` in each secret slot (or no secret slots at all, for comparing documents).
 * Never a secret's value: the stored configuration holds none.
 */
export function exportConfig(app: AppConfig, options: { secretMarkers?: boolean } = {}): ConfigDocument {
  const document = structuredClone(projectOnto(appInputSchema, app)) as Plain;
  for (const slot of ALL_SECRET_SLOTS) deleteAt(document, slot.path);
  if (options.secretMarkers === false) return document as ConfigDocument;
  for (const slot of secretSlots(app.target.auth.type)) setAt(document, slot.path, { ...STORED_SECRET });
  return document as ConfigDocument;
}

/**
 * The app's configuration as `POST /apps` takes it: the document with its stored secrets put
 * back (a missing one comes back empty, which validation then names).
 */
export function appInputOf(app: AppConfig, secrets: Partial<AppSecrets>): Plain {
  const document = exportConfig(app, { secretMarkers: false }) as Plain;
  for (const slot of secretSlots(app.target.auth.type)) setAt(document, slot.path, secrets[slot.key] ?? '');
  return document;
}

/**
 * The app spec a document describes, each secret slot turned into its value by `resolve`
 * (which answers a string, or the problem with it). The problems name the slots' paths.
 */
export function fillSecrets(
  document: { target: { auth: { type: AuthType } } },
  resolve: (slotValue: unknown, slot: SecretSlot) => string | { problem: string },
): { spec: AppSpec; problems: [] } | { spec?: undefined; problems: FieldError[] } {
  const filled = structuredClone(document) as unknown as Plain;
  const problems: FieldError[] = [];
  for (const slot of secretSlots(document.target.auth.type)) {
    const answer = resolve(getAt(filled, slot.path), slot);
    if (typeof answer === 'string') setAt(filled, slot.path, answer);
    else problems.push({ path: slotName(slot), message: answer.problem });
  }
  return problems.length > 0 ? { problems } : { spec: filled as unknown as AppSpec, problems: [] };
}

function getAt(document: Plain, path: readonly string[]): unknown {
  return path.reduce<unknown>((at, key) => (isPlain(at) ? at[key] : undefined), document);
}

function setAt(document: Plain, path: readonly string[], value: unknown): void {
  let at: Plain = document;
  for (const key of path.slice(0, -1)) {
    if (!isPlain(at[key])) at[key] = {};
    at = at[key] as Plain;
  }
  at[path[path.length - 1]!] = value;
}

function deleteAt(document: Plain, path: readonly string[]): void {
  const parent = getAt(document, path.slice(0, -1));
  if (isPlain(parent)) delete parent[path[path.length - 1]!];
}
