/** The test certificate authority: the sandbox's own (src/sandbox/tls.ts), named for the tests. */
import { writeSandboxCa } from '../../src/sandbox/index';

/** Writes `ca.pem`, `cert.pem` and `key.pem` into `dir`, valid for a week. */
export function writeTestCa(dir: string): Promise<void> {
  return writeSandboxCa(dir, 'scimflow test CA');
}
