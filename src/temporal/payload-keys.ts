/**
 * The keys that encrypt Temporal payloads (see payload-codec.ts), each with an id that every
 * encrypted payload names. The first key encrypts new payloads; the others still decrypt what
 * was written with them, so a key is rotated by putting a new one first and dropping an old one
 * only once no history that needs it is kept any more.
 */
import { randomBytes } from 'node:crypto';
import { ProvisioningError } from '../errors/index';
import { parseSecretKey, readOrCreateKeyFile } from '../store/index';

/** The environment variable holding the keys: `id:key` entries, newest first, comma-separated. */
export const PAYLOAD_KEYS_ENV = 'SCIMFLOW_PAYLOAD_KEYS';
/** The file in the data dir holding the keys when the variable is not set: one `id:key` a line, newest first. */
export const PAYLOAD_KEYS_FILE = 'payload.keys';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface PayloadKeyring {
  /** The id of the key new payloads are encrypted with (the first one). */
  currentId: string;
  /** Every key by its id. */
  keys: ReadonlyMap<string, Buffer>;
}

function configurationError(message: string): ProvisioningError {
  return new ProvisioningError({ kind: 'configuration', code: 'InvalidConfiguration', message });
}

/**
 * Reads `id:key` entries separated by commas or line breaks, newest first; a key is 32 bytes as
 * 64 hex characters or base64. Errors name the entry's position and id, never a key.
 *
 * @example
 * parsePayloadKeys('2027-01:3f…(64 hex), 2026-06:q83v…(base64)'); // current: '2027-01'
 */
export function parsePayloadKeys(text: string, origin = PAYLOAD_KEYS_ENV): PayloadKeyring {
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'));
  if (entries.length === 0) throw configurationError(`${origin} holds no key: write id:key entries, newest first`);
  const keys = new Map<string, Buffer>();
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon).trim();
    if (!KEY_ID.test(id))
      throw configurationError(`${origin} entry ${index + 1} must be id:key with an id of letters, digits, '.', '_' or '-' (at most 64)`);
    if (keys.has(id)) throw configurationError(`${origin} names key id ${JSON.stringify(id)} twice`);
    try {
      keys.set(id, parseSecretKey(entry.slice(colon + 1)));
    } catch {
      throw configurationError(`${origin} key ${JSON.stringify(id)} must be 32 bytes written as 64 hex characters or base64`);
    }
  }
  return { currentId: [...keys.keys()][0]!, keys };
}

/**
 * The keys from `SCIMFLOW_PAYLOAD_KEYS` when set; otherwise those in `${dataDir}/payload.keys`,
 * which is generated there (mode 0600) with one key on first use.
 */
export async function loadOrCreatePayloadKeys(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<PayloadKeyring> {
  const fromEnv = env[PAYLOAD_KEYS_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parsePayloadKeys(fromEnv);
  const text = await readOrCreateKeyFile(dataDir, PAYLOAD_KEYS_FILE, () => `${newPayloadKey()}\n`);
  return parsePayloadKeys(text, PAYLOAD_KEYS_FILE);
}

/** A new random key as an `id:key` entry, its id saying when it was made: `20261203-1a2b3c:…`. */
export function newPayloadKey(): string {
  const id = `${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
  return `${id}:${randomBytes(32).toString('hex')}`;
}
