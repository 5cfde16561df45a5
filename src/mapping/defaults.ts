/** The attribute mappings an app starts with: Entra's default user mapping onto the SCIM core and enterprise schemas. */
import { SCHEMA_ENTERPRISE_USER } from '../scim/types';
import { attributeMappingSchema, type AttributeMapping, type AttributeMappingInput } from './schema';

function direct(source: string, target: string, extra: { matchingPrecedence?: number } = {}): AttributeMappingInput {
  return { type: 'direct', source, target, ...extra };
}

/**
 * Entra's default user mapping. `manager` is a reference: the target receives the manager's
 * account id in that target (a manager without an account yet is written once it has one).
 * `accountEnabled` feeds `active`; soft-deleted and out-of-scope
 * users are disabled by the app's deprovisioning settings, which Entra folds into
 * `Not([IsSoftDeleted])`.
 */
export const DEFAULT_USER_MAPPINGS: readonly AttributeMapping[] = Object.freeze(
  [
    direct('userPrincipalName', 'userName', { matchingPrecedence: 1 }),
    direct('mail', 'emails[type eq "work"].value'),
    direct('givenName', 'name.givenName'),
    direct('surname', 'name.familyName'),
    direct('displayName', 'displayName'),
    direct('jobTitle', 'title'),
    direct('mailNickname', 'externalId'),
    direct('employeeId', `${SCHEMA_ENTERPRISE_USER}:employeeNumber`),
    direct('department', `${SCHEMA_ENTERPRISE_USER}:department`),
    // The manager's object id, written as the manager's id in the target once it has an account.
    direct('manager', `${SCHEMA_ENTERPRISE_USER}:manager.value`),
    direct('accountEnabled', 'active'),
  ].map((mapping) => attributeMappingSchema.parse(mapping)),
);

/**
 * Entra's default group mapping: the display name (also how an existing target group is
 * matched) and the object id as `externalId`. Members are not a mapping: scimflow writes them
 * itself, as target ids, once each member's account exists.
 */
export const DEFAULT_GROUP_MAPPINGS: readonly AttributeMapping[] = Object.freeze(
  [direct('displayName', 'displayName', { matchingPrecedence: 1 }), direct('objectId', 'externalId')].map((mapping) =>
    attributeMappingSchema.parse(mapping),
  ),
);
