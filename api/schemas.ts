/** Response and parameter schemas of the API (request bodies reuse the config schemas in src/). */
import { z } from '@hono/zod-openapi';
import { storableString } from '../src/config/storable';
import { attributeMappingSchema } from '../src/mapping/index';
import type { ProvisioningLogEntry } from '../src/store/index';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      peer: z.enum(['source', 'identity platform', 'target', 'store']).optional().openapi({
        description: 'The peer that failed: the directory, the identity platform issuing its tokens, the SCIM target, the database',
      }),
      detail: z.string().optional().openapi({ description: "The peer's own error text" }),
      permission: z.string().optional().openapi({ description: 'For a 403: the permission the call needs' }),
    }),
  })
  .openapi('Error');

/** Text of a path or query parameter: at most 256 characters the store can hold. */
export function paramText() {
  return storableString().max(256, 'must be at most 256 characters');
}

export const appIdParams = z.object({
  id: paramText().openapi({ param: { name: 'id', in: 'path' }, example: '3f0c6f5e-8a0c-4a55-9d8a-3f4b9f0b8a11' }),
});

/** An app as shown: its configuration with every secret left out. */
export const appViewSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    source: z.object({
      type: z.literal('graph'),
      tenantId: z.string(),
      clientId: z.string(),
      authorityHost: z.string().optional(),
      graphBaseUrl: z.string().optional(),
      scope: z.enum(['all', 'assigned']),
      servicePrincipalId: z.string().optional(),
    }),
    target: z.object({
      type: z.literal('scim'),
      baseUrl: z.string(),
      auth: z.discriminatedUnion('type', [
        z.object({ type: z.literal('bearer') }),
        z.object({
          type: z.literal('oauth2'),
          tokenUrl: z.string(),
          clientId: z.string(),
          scope: z.string().optional(),
          audience: z.string().optional(),
          clientAuth: z.enum(['basic', 'body']),
        }),
        z.object({ type: z.literal('basic'), username: z.string() }),
      ]),
    }),
    schedule: z.object({ intervalMinutes: z.number() }),
    deprovisioning: z.object({
      softDeleted: z.string(),
      hardDeleted: z.string(),
      outOfScope: z.string(),
      threshold: z.number().nullable(),
    }),
    mappings: z
      .object({ user: z.array(attributeMappingSchema), group: z.array(attributeMappingSchema) })
      .openapi({ description: 'The effective mappings of users and groups: the built-in defaults for a kind the app sets none for' }),
    mappingDefaults: z
      .object({ user: z.boolean(), group: z.boolean() })
      .openapi({ description: 'Which kinds follow the built-in default mappings (the app sets none of its own)' }),
    scoping: z.record(z.string(), z.unknown()).optional(),
    groups: z
      .object({ enabled: z.boolean(), flattenNested: z.boolean(), deprovision: z.string(), compareMembersHours: z.number() })
      .optional(),
    lifecycle: z
      .object({
        leadTimeDays: z.number().optional(),
        createDisabled: z.boolean().optional(),
        retentionDays: z.number().optional(),
        leaverTimeoutMinutes: z.number().optional(),
      })
      .optional(),
    quarantine: z
      .object({ failureShare: z.number(), minimumFailures: z.number(), unreachableMinutes: z.number(), disableAfterDays: z.number() })
      .openapi({ description: 'When cycles that cannot make progress quarantine the job (effective values, defaults filled in)' }),
    alerts: z.record(z.string(), z.object({ enabled: z.boolean(), threshold: z.number() })).openapi({
      description:
        'Which alert rules are on, with their thresholds (effective values, defaults filled in; 0 for a rule without a threshold)',
      example: { cycleFailures: { enabled: true, threshold: 0.2 }, deprovisions: { enabled: true, threshold: 100 } },
    }),
    capabilities: z.record(z.string(), z.unknown()).optional(),
    configVersion: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('App');

export const countsSchema = z.object({
  created: z.number(),
  updated: z.number(),
  disabled: z.number(),
  deleted: z.number(),
  skipped: z.number(),
  failed: z.number(),
});

export const statusSchema = z
  .object({
    state: z.enum(['active', 'paused', 'quarantined', 'disabled', 'stopped']),
    quarantine: z
      .object({
        reason: z.enum(['EncounteredQuarantineException', 'EncounteredEscrowProportionThreshold', 'TooManyDeletes', 'QuarantinedByAdmin']),
        detail: z.string(),
        currentBegan: z.string(),
        nextAttempt: z.string().nullable().openapi({ description: 'When the job tries again; null while it waits for an admin' }),
        seriesBegan: z.string(),
        seriesCount: z.number(),
      })
      .nullable()
      .openapi({
        description:
          "Why the job stopped running cycles on its cadence (Entra's fields): attempts follow at +6 h, +12 h, +24 h, then daily; lifted by a successful attempt, resume, restart or allow-deletes",
      }),
    currentCycle: z
      .object({
        id: z.string().nullable(),
        kind: z.string().nullable(),
        phase: z.enum(['begin', 'users', 'assignments', 'escrow', 'groups', 'references', 'finish']).nullable(),
        processed: z.number(),
        total: z.number().nullable(),
      })
      .nullable(),
    lastError: z
      .object({
        code: z.string(),
        message: z.string(),
        detail: z.string().optional().openapi({ description: "The peer's own error text" }),
        peer: z.enum(['source', 'identity platform', 'target', 'store']).nullable(),
        step: z.enum(['token', 'read source', 'write target', 'store', 'unknown']),
        cycleId: z.string().nullable(),
        at: z.string(),
      })
      .nullable()
      .openapi({
        description:
          "The job's last error: shown as soon as a cycle's work fails, also while it is being retried; cleared by a cycle without failures",
      }),
    lastCycle: z
      .object({
        id: z.string(),
        kind: z.enum(['initial', 'incremental']),
        state: z.enum(['succeeded', 'partial', 'failed']),
        startedAt: z.string(),
        finishedAt: z.string(),
        counts: countsSchema,
        staged: z.number().optional(),
        error: z.string().optional(),
      })
      .nullable(),
    nextRunAt: z.string().nullable(),
    lastRestart: z
      .object({ at: z.string(), scopes: z.array(z.string()) })
      .nullable()
      .openapi({ description: 'The last restart of the job: when, and with which scopes' }),
    runRequested: z.boolean().openapi({ description: 'A run-now request waits for the job to be active (a paused job keeps it)' }),
    intervalMinutes: z.number(),
    pendingReferences: z.object({ members: z.number(), managers: z.number() }).openapi({
      description:
        'References waiting for an account in the target: group members and managers not provisioned (yet); each is written once its account exists',
    }),
  })
  .openapi('AppStatus');

export const stepSchema = z.object({ name: z.string(), status: z.string(), detail: z.string().optional(), data: z.any().optional() });

export const onDemandResultSchema = z
  .object({
    objectId: z.string(),
    status: z.string(),
    action: z.string().nullable(),
    targetId: z.string().nullable(),
    steps: z.array(stepSchema),
    modifiedProperties: z.array(z.object({ name: z.string(), old: z.any().optional(), new: z.any().optional() })),
    error: z.object({ code: z.string(), message: z.string(), detail: z.string().optional() }).nullable(),
  })
  .openapi('ProvisionOnDemandResult');

/** An entry as the docs show it. */
export const LOG_ENTRY_EXAMPLE: ProvisioningLogEntry = {
  id: '4812',
  appId: '3f0c2a1e-5b7d-4c1a-9e2f-0a1b2c3d4e5f',
  cycleId: '3f0c2a1e-5b7d-4c1a-9e2f-0a1b2c3d4e5f:12',
  changeId: '3f0c2a1e-5b7d-4c1a-9e2f-0a1b2c3d4e5f:12:user:9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11',
  objectType: 'user',
  sourceId: '9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11',
  sourceDisplay: 'Ada Lovelace',
  targetId: '2819c223-7f76-453a-919d-413861904646',
  action: 'Update',
  status: 'Failure',
  reason: null,
  modifiedProperties: [{ name: 'title', old: 'Engineer', new: 'Lead Engineer' }],
  steps: [
    { name: 'import', status: 'Success', detail: 'read from Graph' },
    { name: 'export', status: 'Failure', detail: 'PATCH /Users/2819c223-7f76-453a-919d-413861904646' },
  ],
  error: { kind: 'transient', code: 'TooManyRequests', message: 'HTTP 429 from the target', status: 429, peer: 'target' },
  startedAt: '2026-12-03T10:15:01.190Z',
  durationMs: 44,
  createdAt: '2026-12-03T10:15:01.234Z',
};

export const logEntrySchema = z
  .object({
    id: z.string(),
    appId: z.string(),
    changeId: z.string(),
    cycleId: z.string().nullable(),
    objectType: z.string(),
    sourceId: z.string(),
    sourceDisplay: z.string().nullable(),
    targetId: z.string().nullable(),
    action: z.string(),
    status: z.string(),
    reason: z.string().nullable(),
    modifiedProperties: z.array(z.object({ name: z.string(), old: z.any().optional(), new: z.any().optional() })),
    steps: z.array(stepSchema),
    error: z.unknown().nullable(),
    startedAt: z.string(),
    durationMs: z.number(),
    createdAt: z.string(),
  })
  .openapi('ProvisioningLogEntry', { example: LOG_ENTRY_EXAMPLE });

export const previewResultSchema = z
  .object({
    objectId: z.string(),
    found: z.boolean(),
    source: z.record(z.string(), z.any()).nullable().openapi({ description: 'The source attributes read from Graph' }),
    scope: z
      .object({ inScope: z.boolean(), detail: z.string(), groups: z.array(z.any()).optional() })
      .nullable()
      .openapi({ description: 'The scope decision; with a scoping filter, group by group and clause by clause' }),
    action: z.string().nullable(),
    reason: z.string().nullable(),
    targetId: z.string().nullable().openapi({ description: 'The matched or linked target account, if any' }),
    request: z
      .object({ method: z.string(), path: z.string(), body: z.any().optional() })
      .nullable()
      .openapi({ description: 'The exact SCIM request that would be sent; null when nothing would be' }),
    modifiedProperties: z.array(z.object({ name: z.string(), old: z.any().optional(), new: z.any().optional() })),
    steps: z.array(stepSchema),
    error: z.object({ code: z.string(), message: z.string(), detail: z.string().optional() }).nullable(),
  })
  .openapi('PreviewResult');
