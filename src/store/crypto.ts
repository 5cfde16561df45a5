/**
 * Encryption of app secrets at rest: AES-256-GCM with a 32-byte key, a random 12-byte IV per
 * value and the authentication tag checked on every read. A value is bound to its context (the
 * app id) so that a ciphertext copied to another row does not decrypt. Neither keys nor clear
 * text ever appear in an error message.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProvisioningError } from '../errors/index';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Prefix of the stored form `v1.<base64 iv | tag | ciphertext>`, so a later format can coexist. */
const VERSION = 'v1';

/** The environment variable holding the key: 64 hex characters or base64 of 32 bytes. */
export const SECRET_KEY_ENV = 'SCIMFLOW_SECRET_KEY';

function configurationError(message: string): ProvisioningError {
  return new ProvisioningError({ kind: 'configuration', code: 'InvalidConfiguration', message });
}

/** Reads a key written as 64 hex characters or as base64 of 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const key = Buffer.from(trimmed, 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw configurationError(`the secret key must be 32 bytes written as 64 hex characters or base64 (${SECRET_KEY_ENV})`);
}

/**
 * The key from `SCIMFLOW_SECRET_KEY` when set; otherwise the one in `${dataDir}/secret.key`,
 * generated there (mode 0600) on first use.
 */
export async function loadOrCreateSecretKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const fromEnv = env[SECRET_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseSecretKey(fromEnv);
  return parseSecretKey(await readOrCreateKeyFile(dataDir, 'secret.key', () => `${randomBytes(KEY_BYTES).toString('hex')}\n`));
}

/**
 * The text of `${dataDir}/${name}`, written there first (mode 0600) with `create()` when the
 * file does not exist yet. Processes starting together end up with the same file.
 */
export async function readOrCreateKeyFile(dataDir: string, name: string, create: () => string): Promise<string> {
  const file = join(dataDir, name);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Written aside, then linked into place: link fails when the file exists, so processes
  // starting together end up with one key, and nobody reads a half-written file.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, create(), { flag: 'wx', mode: 0o600 });
  try {
    await link(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  return readFile(file, 'utf8');
}

/** Encrypts and decrypts short strings with one key. */
export interface SecretCipher {
  /** The stored form of `plaintext`, bound to `context` (e.g. the app id). */
  encrypt(plaintext: string, context: string): string;
  /** The clear text of a stored value; a configuration error when the key or context differ or the value was altered. */
  decrypt(stored: string, context: string): string;
}

/** A cipher over a 32-byte key. */
export function createSecretCipher(key: Uint8Array): SecretCipher {
  if (key.length !== KEY_BYTES) throw configurationError(`the secret key must be ${KEY_BYTES} bytes`);
  const keyBytes = Buffer.from(key);
  return {
    encrypt(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, keyBytes, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    decrypt(stored, context) {
      const [version, payload] = stored.split('.', 2);
      const bytes = Buffer.from(payload ?? '', 'base64');
      if (version !== VERSION || bytes.length < IV_BYTES + TAG_BYTES) {
        throw configurationError('stored secrets are not in a known encrypted format');
      }
      const decipher = createDecipheriv(ALGORITHM, keyBytes, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        // The only failure here is a tag mismatch; node's message says nothing more useful.
        throw configurationError(
          `stored secrets cannot be decrypted: the secret key (${SECRET_KEY_ENV} or secret.key) is not the one they were written with, or the data was altered`,
        );
      }
    },
  };
}
