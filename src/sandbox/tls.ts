/**
 * A throw-away certificate authority and a `localhost` / `127.0.0.1` leaf signed by it, for the
 * sandbox Graph (and the test servers) on loopback over HTTPS. Processes that talk to it trust
 * the CA through NODE_EXTRA_CA_CERTS (read at process start, so set it for child processes):
 * the real Graph client and token code run unchanged, with no switch that turns TLS checks off.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

/** Writes `ca.pem`, `cert.pem` and `key.pem` into `dir`, valid for a week. */
export async function writeSandboxCa(dir: string, commonName = 'scimflow sandbox CA'): Promise<void> {
  await mkdir(dir, { recursive: true });
  const now = new Date();
  const later = new Date(now.getTime() + 7 * 24 * 3600 * 1000);
  const ca = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: later,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const leaf = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: later,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  await writeFile(join(dir, 'ca.pem'), ca.cert);
  await writeFile(join(dir, 'cert.pem'), leaf.cert);
  await writeFile(join(dir, 'key.pem'), leaf.private);
}
