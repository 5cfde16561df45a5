/**
 * What a SCIM target can do, kept as data per app: the capability profile. Discovery fills it
 * from the target's own announcements (see `discovery.ts`), an admin may override any field,
 * and request building follows the merged profile. No behaviour is tied to a vendor's name.
 */
import { z } from 'zod';
import { ProvisioningError } from '../errors/index';

/**
 * Member changes per group PATCH when the admin sets nothing. 100 is the smallest per-request
 * member limit documented among widely used targets, so it is safe everywhere; request bodies
 * stay far below common payload limits; and a 10,000-member group still needs only 100 requests.
 */
export const DEFAULT_MAX_MEMBERS_PER_PATCH = 100;

/** The page size asked for when the target announces no cap (several targets cap pages at 100). */
export const DEFAULT_PAGE_SIZE = 100;

const count = z.number().int().nonnegative();
const positive = z.number().int().positive();

const bulkShape = {
  supported: z.boolean(),
  /** Operations per bulk request (RFC 7643 §5 `bulk.maxOperations`). */
  maxOperations: count,
  /** Bytes per bulk request (`bulk.maxPayloadSize`). */
  maxPayloadSize: count,
};

const filterShape = {
  supported: z.boolean(),
  /** Most resources the target returns in one answer (`filter.maxResults`). */
  maxResults: count,
};

const resourceTypesShape = {
  user: z.boolean(),
  group: z.boolean(),
  /** The User resource type carries the enterprise extension (`schemaExtensions`). */
  enterpriseUser: z.boolean(),
};

/** The fields that are a single setting. */
const settingShape = {
  /** PATCH is used for updates; otherwise the whole resource is replaced with PUT. */
  patch: z.boolean(),
  etag: z.boolean(),
  sort: z.boolean(),
  changePassword: z.boolean(),
  /**
   * GET on a group returns its `members`. Discovery cannot tell; when false, members are read
   * with a `members` filter instead.
   */
  groupMembersOnGet: z.boolean(),
  maxMembersPerPatch: positive,
  /** The `count` asked for per list page: the target's announced cap, when it announces one. */
  pageSize: positive,
  /** `rfc` writes `add`/`replace`/`remove`; `capitalised` writes the legacy `Add`/`Replace`/`Remove`. */
  patchOpCasing: z.enum(['rfc', 'capitalised']),
  /** `json` writes `true`; `string` writes the legacy `"True"` some targets expect. */
  booleanEncoding: z.enum(['json', 'string']),
};

const completeProfileSchema = z.object({
  ...settingShape,
  bulk: z.object(bulkShape),
  filter: z.object(filterShape),
  resourceTypes: z.object(resourceTypesShape),
  /** When discovery last read the target (ISO 8601); null when it never did. */
  discoveredAt: z.iso.datetime({ offset: true }).nullable(),
});

/** A target's capabilities as request building uses them. */
export type CapabilityProfile = z.output<typeof completeProfileSchema>;

/**
 * The profile of a target that announces nothing: only what RFC 7644 requires of every target.
 * Updates use PUT, no bulk, ETags or sorting, RFC casing and JSON booleans. Filtering counts as
 * supported because matching before create cannot work without an `eq` filter; the connection
 * test checks it on the target itself. Users and groups are both core resource types.
 */
export const CONSERVATIVE_PROFILE: CapabilityProfile = Object.freeze({
  patch: false,
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: DEFAULT_PAGE_SIZE },
  etag: false,
  sort: false,
  changePassword: false,
  resourceTypes: { user: true, group: true, enterpriseUser: false },
  groupMembersOnGet: true,
  maxMembersPerPatch: DEFAULT_MAX_MEMBERS_PER_PATCH,
  pageSize: DEFAULT_PAGE_SIZE,
  patchOpCasing: 'rfc',
  booleanEncoding: 'json',
  discoveredAt: null,
});

/**
 * A stored or partial profile: missing fields take the conservative defaults, wrong ones fail.
 *
 * @example capabilityProfileSchema.parse({ patch: true }).bulk // => { supported: false, ... }
 */
export const capabilityProfileSchema = z.preprocess(
  (input) => (isPlainObject(input) ? deepMerge(CONSERVATIVE_PROFILE, input) : input),
  completeProfileSchema,
);

/**
 * An admin's overrides: any field, nested ones one by one; unknown fields are refused.
 * `discoveredAt` is not overridable.
 *
 * @example capabilityOverridesSchema.parse({ bulk: { maxOperations: 50 }, groupMembersOnGet: false })
 */
export const capabilityOverridesSchema = z
  .strictObject({
    ...settingShape,
    bulk: z.strictObject(bulkShape).partial(),
    filter: z.strictObject(filterShape).partial(),
    resourceTypes: z.strictObject(resourceTypesShape).partial(),
  })
  .partial();

export type CapabilityOverrides = z.output<typeof capabilityOverridesSchema>;

/**
 * Validates overrides, throwing a configuration error that names each wrong field.
 *
 * @example parseCapabilityOverrides({ pageSize: 0 }) // throws "... pageSize: Too small: ..."
 */
export function parseCapabilityOverrides(input: unknown): CapabilityOverrides {
  const result = capabilityOverridesSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.length === 0 ? '(overrides)' : issue.path.join('.')}: ${issue.message}`,
  );
  throw new ProvisioningError({
    kind: 'configuration',
    code: 'InvalidConfiguration',
    message: `invalid capability overrides: ${problems.join('; ')}`,
  });
}

/**
 * The profile request building uses: the discovered one with the admin's overrides on top.
 *
 * @example mergeProfile(discovered, { patch: false, bulk: { supported: false } })
 */
export function mergeProfile(discovered: CapabilityProfile, overrides: CapabilityOverrides = {}): CapabilityProfile {
  return completeProfileSchema.parse(deepMerge(discovered, parseCapabilityOverrides(overrides)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `base` with `top` laid over it, nested objects field by field; undefined in `top` changes nothing. */
function deepMerge(base: object, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}
