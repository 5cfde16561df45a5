/**
 * The configuration of one provisioned app: where identities come from (Graph), where they go
 * (a SCIM endpoint), how often, how deprovisioning behaves and the attribute mappings.
 * Secrets (`clientSecret`, `token`) are write-only: they are stored encrypted and never echoed.
 */
import { z } from 'zod';
import { objectMappingsSchema } from '../mapping/schema';
import { scopingFilterInputSchema } from '../mapping/scoping/index';
import { capabilityOverridesSchema, type CapabilityProfile } from '../scim/capabilities';

const httpsUrl = z
  .url({ message: 'must be an absolute URL' })
  .refine((value) => /^https?:\/\//i.test(value), 'must be an http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));

export const graphSourceSchema = z.object({
  type: z.literal('graph'),
  tenantId: z.string().trim().min(1, 'tenantId is required'),
  clientId: z.string().trim().min(1, 'clientId is required'),
  clientSecret: z.string().min(1, 'clientSecret is required'),
  /** Token authority, e.g. `https://login.microsoftonline.us` for national clouds. */
  authorityHost: httpsUrl.optional(),
  /** Graph root including the version, e.g. `https://graph.microsoft.us/v1.0`. */
  graphBaseUrl: httpsUrl.optional(),
  /** `all` users of the tenant, or only users `assigned` to the app's service principal. */
  scope: z.enum(['all', 'assigned']).default('all'),
  servicePrincipalId: z.string().trim().min(1).optional(),
});

export const scimTargetSchema = z.object({
  type: z.literal('scim'),
  baseUrl: httpsUrl,
  auth: z.object({
    type: z.literal('bearer'),
    token: z.string().min(1, 'token is required'),
  }),
});

export const deprovisionActionSchema = z.enum(['disable', 'delete', 'ignore']);
export type DeprovisionAction = z.infer<typeof deprovisionActionSchema>;

export const deprovisioningSchema = z.object({
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

export const scheduleSchema = z.object({
  intervalMinutes: z.number().int().min(1, 'intervalMinutes must be at least 1').max(7 * 24 * 60).default(40),
});

export const appInputSchema = z
  .object({
    displayName: z.string().trim().min(1, 'displayName is required').max(256),
    source: graphSourceSchema,
    target: scimTargetSchema,
    schedule: scheduleSchema.default({ intervalMinutes: 40 }),
    deprovisioning: deprovisioningSchema.default({ softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'disable', threshold: 500 }),
    mappings: objectMappingsSchema.default({}),
    /** Scoping filters per object type: only source objects they match are provisioned (Entra's "source object scope"). */
    scoping: z.object({ user: scopingFilterInputSchema.optional() }).default({}),
    /** What the target can do: discovered by test-connection; any field can be overridden here. */
    capabilities: z.object({ overrides: capabilityOverridesSchema.default({}) }).default({ overrides: {} }),
  })
  .superRefine((app, ctx) => {
    if (app.source.scope === 'assigned' && !app.source.servicePrincipalId) {
      ctx.addIssue({
        code: 'custom',
        path: ['source', 'servicePrincipalId'],
        message: 'servicePrincipalId is required when scope is "assigned"',
      });
    }
  });

export type AppInput = z.input<typeof appInputSchema>;
export type AppSpec = z.output<typeof appInputSchema>;

/** The secrets of an app, kept apart from its configuration and encrypted at rest. */
export interface AppSecrets {
  clientSecret: string;
  targetToken: string;
}

/** An app's configuration without its secrets: what is stored in clear, shown and put in workflow inputs. */
export interface AppConfig {
  id: string;
  displayName: string;
  source: Omit<AppSpec['source'], 'clientSecret'>;
  target: { type: 'scim'; baseUrl: string; auth: { type: 'bearer' } };
  schedule: AppSpec['schedule'];
  deprovisioning: AppSpec['deprovisioning'];
  mappings: AppSpec['mappings'];
  /** Absent in configurations saved before scoping filters existed. */
  scoping?: AppSpec['scoping'];
  /** The admin's overrides and the profile the last connection test discovered. */
  capabilities?: AppSpec['capabilities'] & { discovered?: CapabilityProfile };
  /** Bumped whenever mappings or scoping change; a new version makes the next cycle a full one. */
  configVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** Splits validated input into the clear configuration and the secrets. */
export function splitSecrets(spec: AppSpec): { config: Omit<AppConfig, 'id' | 'configVersion' | 'createdAt' | 'updatedAt'>; secrets: AppSecrets } {
  const { clientSecret, ...source } = spec.source;
  return {
    config: {
      displayName: spec.displayName,
      source,
      target: { type: 'scim', baseUrl: spec.target.baseUrl, auth: { type: 'bearer' } },
      schedule: spec.schedule,
      deprovisioning: spec.deprovisioning,
      mappings: spec.mappings,
      scoping: spec.scoping,
      capabilities: spec.capabilities,
    },
    secrets: { clientSecret, targetToken: spec.target.auth.token },
  };
}

/** The app's deprovisioning threshold: its setting, 500 for configurations saved before there was one. */
export function deprovisionThreshold(app: Pick<AppConfig, 'deprovisioning'>): number | null {
  return app.deprovisioning.threshold === undefined ? 500 : app.deprovisioning.threshold;
}
