/** Roles, permissions and API tokens: who may call the API, and with what. */
export { can, isRole, PERMISSIONS, permissionsOf, ROLE_DESCRIPTIONS, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from './roles';
export { estimatedBits, generateToken, isIssuedTokenShape, MIN_TOKEN_BITS, TOKEN_PREFIX, tokenHash, weakTokenProblem } from './tokens';
