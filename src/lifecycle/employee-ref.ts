/**
 * Opaque references to employee ids, for what Temporal shows in clear (workflow ids and search
 * attributes): an HMAC-SHA256 of the employee id under a key derived from the secret key, so
 * the reference is the same in every process and across restarts, and does not spell the id.
 */
import { createHmac, hkdfSync } from 'node:crypto';

/** Bytes of the HMAC kept: 128 bits, 22 base64url characters. */
const REF_BYTES = 16;

/** The function that maps an employee id to its reference, under a key derived from `secretKey`. */
export function employeeRefs(secretKey: Uint8Array): (employeeId: string) => string {
  const key = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'scimflow employee reference', 32));
  return (employeeId) => createHmac('sha256', key).update(employeeId, 'utf8').digest().subarray(0, REF_BYTES).toString('base64url');
}
