/**
 * The configuration of one provisioned app: where identities come from (Graph), where they go
 * (a SCIM endpoint), how often, how deprovisioning behaves and the attribute mappings.
 * Secrets (`clientSecret`, the target's `token`, `clientSecret` or `password`) are write-only:
 * they are stored encrypted and never echoed.
 */
import { z } from 'zod';
import { objectMappingsSchema } from '../mapping/schema';
import { scopingFilterInputSchema } from '../mapping/scoping/index';
import { capabilityOverridesSchema, type CapabilityProfile } from '../scim/capabilities';
import { lifecycleSettingsSchema } from '../lifecycle/settings';
import { quarantineSettingsSchema } from '../quarantine/settings';
import { alertSettingsSchema } from '../alerts/settings';
import { refuseNul } from './storable';

const httpUrl = z.url({ message: 'must be an absolute URL' }).refine((value) => /^https?:\/\//i.test(value), 'must be an http(s) URL');
const httpsUrl = httpUrl.transform((value) => value.replace(/\/+$/, ''));

/** An https URL (Graph and the identity platform take nothing else), without trailing slashes. */
const secureUrl = httpsUrl.refine((value) => /^https:\/\//i.test(value), 'must be an https URL');

export const graphSourceSchema = z.strictObject({
  type: z.literal('graph'),
  tenantId: z
    .string()
    .trim()
    .min(1, 'tenantId is required')
    .regex(/^[A-Za-z0-9.-]+$/, 'tenantId must be the tenant id (a GUID) or its domain name, e.g. contoso.onmicrosoft.com'),
  clientId: z.string().trim().min(1, 'clientId is required'),
  clientSecret: z.string().min(1, 'clientSecret is required'),
  /** Token authority, e.g. `https://login.microsoftonline.us` for national clouds. */
  authorityHost: secureUrl.optional(),
  /** Graph root including the version, e.g. `https://graph.microsoft.us/v1.0`. */
  graphBaseUrl: secureUrl
    .refine(
      (value) => new URL(value).pathname.split('/').some(Boolean),
      'must end with the API version, e.g. https://graph.microsoft.com/v1.0',
    )
    .optional(),
  /** `all` users of the tenant, or only users `assigned` to the app's service principal. */
  scope: z.enum(['all', 'assigned']).default('all'),
  servicePrincipalId: z.string().trim().min(1).optional(),
});

/** How scimflow authenticates to the target. The secret of each (`token`, `clientSecret`, `password`) is write-only. */
export const targetAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('bearer'),
    token: z.string().min(1, 'token is required'),
  }),
  /** OAuth 2.0 client credentials grant (RFC 6749 §4.4); the token is cached and refreshed. */
  z.strictObject({
    type: z.literal('oauth2'),
    /** The token endpoint, used as given (a trailing slash is kept). */
    tokenUrl: httpUrl,
    clientId: z.string().trim().min(1, 'clientId is required'),
    clientSecret: z.string().min(1, 'clientSecret is required'),
    scope: z.string().trim().min(1, 'scope must not be empty (leave it out instead)').optional(),
    audience: z.string().trim().min(1, 'audience must not be empty (leave it out instead)').optional(),
    /** How the client authenticates to the token endpoint: HTTP Basic (RFC 6749 §2.3.1 says servers must support it) or in the form body. */
    clientAuth: z.enum(['basic', 'body']).default('basic'),
  }),
  /** HTTP Basic (RFC 7617). */
  z.strictObject({
    type: z.literal('basic'),
    username: z
      .string()
      .min(1, 'username is required')
      .refine((value) => !value.includes(':'), 'username must not contain a colon'),
    password: z.string().min(1, 'password is required'),
  }),
]);
export type TargetAuth = z.output<typeof targetAuthSchema>;

type WithoutSecret<T> = T extends unknown ? Omit<T, 'token' | 'clientSecret' | 'password'> : never;
/** The target's auth as stored in clear and shown: everything but the secret. */
export type TargetAuthConfig = WithoutSecret<TargetAuth>;

export const scimTargetSchema = z.strictObject({
  type: z.literal('scim'),
  baseUrl: httpsUrl,
  auth: targetAuthSchema,
  /**
   * How hard scimflow may drive the target, shared by every workflow of the app, per worker
   * process (each worker has its own budget). `requestsPerSecond`: requests started per second,
   * sustained; absent, no rate limit, since targets' limits differ too much for one default.
   * `burst`: requests that may start at once after a quiet spell; default one second's worth.
   * `concurrency`: requests in flight at once; default 8, enough to keep a cycle moving without
   * flooding a target whose limits nobody entered. A `Retry-After` always pauses the whole app.
   */
  rateLimit: z
    .strictObject({
      requestsPerSecond: z
        .number({ message: 'requestsPerSecond must be a number' })
        .min(0.01, 'requestsPerSecond must be at least 0.01 (one request in 100 s)')
        .max(1000, 'requestsPerSecond must be at most 1000')
        .optional(),
      burst: z.number({ message: 'burst must be a number' }).int('burst must be an integer').min(1, 'burst must be at least 1').optional(),
      concurrency: z
        .number({ message: 'concurrency must be a number' })
        .int('concurrency must be an integer')
        .min(1, 'concurrency must be at least 1')
        .max(64, 'concurrency must be at most 64')
        .optional(),
    })
    .optional(),
});

export const deprovisionActionSchema = z.enum(['disable', 'delete', 'ignore']);
export type DeprovisionAction = z.infer<typeof deprovisionActionSchema>;

export const deprovisioningSchema = z.strictObject({
  /** A user soft-deleted in Entra (delta `@removed` reason `changed`). */
  softDeleted: deprovisionActionSchema.default('disable'),
  /** A user permanently deleted in Entra (delta `@removed` reason `deleted`). */
  hardDeleted: deprovisionActionSchema.default('delete'),
  /** A user that left the app's scope (unassigned). `ignore` = Entra's SkipOutOfScopeDeletions. */
  outOfScope: deprovisionActionSchema.default('disable'),
  /**
   * The most accounts one cycle may disable or delete (Entra's accidental-deletions threshold).
   * Past it the cycle holds the rest back (StagedDelete), the job is quarantined with reason
   * TooManyDeletes and an alert goes out, until an admin allows the deletes. null: no limit.
   */
  threshold: z.number().int().min(1, 'threshold must be at least 1 (or null for no limit)').nullable().default(500),
});

/**
 * Group provisioning. Groups in scope are those assigned to the app (when the source scope is
 * `assigned`) or every group (scope `all`), narrowed by the app's group scoping filter. A group
 * has no `active`: one that leaves the scope or is deleted in the source is deleted in the target,
 * unless `deprovision` is `ignore`.
 */
export const groupsSchema = z.strictObject({
  enabled: z.boolean({ message: 'enabled must be true or false' }).default(false),
  /** Members of nested groups become members of the provisioned group (Entra provisions direct members only). */
  flattenNested: z.boolean({ message: 'flattenNested must be true or false' }).default(false),
  deprovision: z.enum(['delete', 'ignore'], { message: 'deprovision must be "delete" or "ignore"' }).default('delete'),
  /**
   * Hours between full comparisons of every group's members with the target, which repair
   * changes made in the target by hand (drift). Incremental cycles in between apply Graph's
   * membership changes only.
   */
  compareMembersHours: z
    .number({ message: 'compareMembersHours must be a number' })
    .min(1, 'compareMembersHours must be at least 1')
    .max(24 * 30, 'compareMembersHours must be at most 720')
    .default(24),
});
export type GroupsSettings = z.output<typeof groupsSchema>;

export const scheduleSchema = z.strictObject({
  intervalMinutes: z
    .number()
    .int()
    .min(1, 'intervalMinutes must be at least 1')
    .max(7 * 24 * 60)
    .default(40),
});

export const appInputSchema = z
  .strictObject({
    displayName: z.string().trim().min(1, 'displayName is required').max(256),
    source: graphSourceSchema,
    target: scimTargetSchema,
    schedule: scheduleSchema.default({ intervalMinutes: 40 }),
    deprovisioning: deprovisioningSchema.default({ softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'disable', threshold: 500 }),
    mappings: objectMappingsSchema.default({}),
    /** Scoping filters per object type: only source objects they match are provisioned (Entra's "source object scope"). */
    scoping: z.strictObject({ user: scopingFilterInputSchema.optional(), group: scopingFilterInputSchema.optional() }).default({}),
    groups: groupsSchema.default({ enabled: false, flattenNested: false, deprovision: 'delete', compareMembersHours: 24 }),
    /** What the target can do: discovered by test-connection; any field can be overridden here. */
    capabilities: z.strictObject({ overrides: capabilityOverridesSchema.default({}) }).default({ overrides: {} }),
    /** Joiner lead time, leaver retention and leaver alert timeout (src/lifecycle/settings.ts). */
    lifecycle: lifecycleSettingsSchema.optional(),
    /** When cycles that cannot make progress quarantine the job (src/quarantine/). */
    quarantine: quarantineSettingsSchema.optional(),
    /** Which alert rules are on, with their thresholds (src/alerts/settings.ts). */
    alerts: alertSettingsSchema.optional(),
  })
  .superRefine(appChecks);

/** The checks of an app across its fields (also those of its configuration document, src/config/document.ts). */
export function appChecks(app: { source: { scope: string; servicePrincipalId?: string | undefined } }, ctx: z.RefinementCtx): void {
  // The configuration is stored as it is (jsonb and text), and the store holds no NUL.
  refuseNul(app, ctx);
  if (app.source.scope === 'assigned' && !app.source.servicePrincipalId) {
    ctx.addIssue({
      code: 'custom',
      path: ['source', 'servicePrincipalId'],
      message: 'servicePrincipalId is required when scope is "assigned"',
    });
  }
}

export type AppInput = z.input<typeof appInputSchema>;
export type AppSpec = z.output<typeof appInputSchema>;

/** The secrets of an app, kept apart from its configuration and encrypted at rest. */
export interface AppSecrets {
  clientSecret: string;
  /** The target's credential: the one its auth type uses is set. */
  targetToken?: string;
  targetClientSecret?: string;
  targetPassword?: string;
}

/** The target's credential among an app's secrets. */
export type TargetSecrets = Pick<AppSecrets, 'targetToken' | 'targetClientSecret' | 'targetPassword'>;

/** An app's configuration without its secrets: what is stored in clear, shown and put in workflow inputs. */
export interface AppConfig {
  id: string;
  displayName: string;
  source: Omit<AppSpec['source'], 'clientSecret'>;
  target: { type: 'scim'; baseUrl: string; auth: TargetAuthConfig; rateLimit?: AppSpec['target']['rateLimit'] };
  schedule: AppSpec['schedule'];
  deprovisioning: AppSpec['deprovisioning'];
  mappings: AppSpec['mappings'];
  /** Absent in configurations saved before scoping filters existed. */
  scoping?: AppSpec['scoping'];
  /** Absent in configurations saved before groups were provisioned: groups off. */
  groups?: AppSpec['groups'];
  /** Absent: the lifecycle defaults (no lead time, 30 days of retention). */
  lifecycle?: AppSpec['lifecycle'];
  /** Absent: Entra's quarantine rules (40% of at least 5,000 failures, peers away for 10 minutes, disabled after 28 days). */
  quarantine?: AppSpec['quarantine'];
  /** Absent: every alert rule on, with its default threshold (src/alerts/settings.ts). */
  alerts?: AppSpec['alerts'];
  /** The admin's overrides and the profile the last connection test discovered. */
  capabilities?: AppSpec['capabilities'] & { discovered?: CapabilityProfile };
  /** Bumped whenever mappings or scoping change; a new version makes the next cycle a full one. */
  configVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** Splits validated input into the clear configuration and the secrets. */
export function splitSecrets(spec: AppSpec): {
  config: Omit<AppConfig, 'id' | 'configVersion' | 'createdAt' | 'updatedAt'>;
  secrets: AppSecrets;
} {
  const { clientSecret, ...source } = spec.source;
  return {
    config: {
      displayName: spec.displayName,
      source,
      target: {
        type: 'scim',
        baseUrl: spec.target.baseUrl,
        auth: clearTargetAuth(spec.target.auth),
        ...(spec.target.rateLimit && { rateLimit: spec.target.rateLimit }),
      },
      schedule: spec.schedule,
      deprovisioning: spec.deprovisioning,
      mappings: spec.mappings,
      scoping: spec.scoping,
      groups: spec.groups,
      capabilities: spec.capabilities,
      ...(spec.lifecycle && { lifecycle: spec.lifecycle }),
      ...(spec.quarantine && { quarantine: spec.quarantine }),
      ...(spec.alerts && { alerts: spec.alerts }),
    },
    secrets: { clientSecret, ...targetSecret(spec.target.auth) },
  };
}

/**
 * The clear part of the target's auth: its known keys but the secret. Takes the auth with its
 * secret still inside as well, and leaves the secret (and any unknown key) out.
 */
export function clearTargetAuth(auth: TargetAuthConfig | TargetAuth): TargetAuthConfig {
  switch (auth.type) {
    case 'oauth2': {
      const { tokenUrl, clientId, scope, audience, clientAuth } = auth;
      return {
        type: 'oauth2',
        tokenUrl,
        clientId,
        ...(scope !== undefined && { scope }),
        ...(audience !== undefined && { audience }),
        clientAuth,
      };
    }
    case 'basic':
      return { type: 'basic', username: auth.username };
    default:
      return { type: 'bearer' };
  }
}

function targetSecret(auth: TargetAuth): TargetSecrets {
  switch (auth.type) {
    case 'oauth2':
      return { targetClientSecret: auth.clientSecret };
    case 'basic':
      return { targetPassword: auth.password };
    default:
      return { targetToken: auth.token };
  }
}

/**
 * The target's auth as its owner gave it: the clear config with the stored secret put back
 * (the inverse of `splitSecrets` for the target). A missing secret comes back empty, which
 * validation then names.
 */
export function targetAuthInput(auth: TargetAuthConfig, secrets: TargetSecrets): z.input<typeof targetAuthSchema> {
  switch (auth.type) {
    case 'oauth2':
      return { ...auth, clientSecret: secrets.targetClientSecret ?? '' };
    case 'basic':
      return { ...auth, password: secrets.targetPassword ?? '' };
    default:
      return { ...auth, token: secrets.targetToken ?? '' };
  }
}

/** The app's deprovisioning threshold: its setting, 500 for configurations saved before there was one. */
export function deprovisionThreshold(app: Pick<AppConfig, 'deprovisioning'>): number | null {
  return app.deprovisioning.threshold === undefined ? 500 : app.deprovisioning.threshold;
}
