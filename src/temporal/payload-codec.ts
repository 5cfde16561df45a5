/**
 * Encryption of every Temporal payload scimflow writes (inputs, results, signals, updates,
 * queries, memos, failure details): AES-256-GCM over the whole serialized payload, so neither
 * its data nor its original metadata is left in clear in a history. An encrypted payload's
 * metadata says `encoding: binary/encrypted` and names the key (`encryption-key-id`), which is
 * also bound in as associated data. A payload in any other encoding (histories from before
 * encryption) is passed through as it is.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { ProvisioningError } from '../errors/index';
import { PAYLOAD_KEYS_ENV, PAYLOAD_KEYS_FILE, type PayloadKeyring } from './payload-keys';

// A CommonJS package: its namespaces come through the default export under plain Node ESM.
const { temporal } = proto;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const text = (bytes: Uint8Array | null | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

function codecError(message: string): ProvisioningError {
  return new ProvisioningError({ kind: 'configuration', code: 'InvalidConfiguration', message });
}

/** Whether a payload is one this codec encrypted. */
export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
}

/**
 * The codec over a keyring: encodes with the current key, decodes with the key each payload
 * names. Decoding fails, naming the key id, when that key is not in the ring, and when the
 * payload was altered.
 */
export function createPayloadCodec(keyring: PayloadKeyring): PayloadCodec {
  const current = keyring.keys.get(keyring.currentId);
  if (!current) throw codecError(`the current payload key ${JSON.stringify(keyring.currentId)} is not in the keyring`);
  const keyId = Buffer.from(keyring.currentId, 'utf8');

  function encrypt(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, current!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(keyId);
    const body = Buffer.concat([cipher.update(temporal.api.common.v1.Payload.encode(payload).finish()), cipher.final()]);
    return {
      metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: keyId },
      data: Buffer.concat([iv, cipher.getAuthTag(), body]),
    };
  }

  function decrypt(payload: Payload): Payload {
    if (!isEncrypted(payload)) return payload;
    const id = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
    const key = keyring.keys.get(id);
    if (!key)
      throw codecError(
        `a payload is encrypted with key ${JSON.stringify(id)}, which is not among the payload keys (${PAYLOAD_KEYS_ENV} or ${PAYLOAD_KEYS_FILE}): add it back`,
      );
    const bytes = Buffer.from(payload.data ?? new Uint8Array());
    if (bytes.length < IV_BYTES + TAG_BYTES) throw codecError(`a payload encrypted with key ${JSON.stringify(id)} is truncated`);
    const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    let clear: Buffer;
    try {
      clear = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      // The only failure here is a tag mismatch; node's message says nothing more useful.
      throw codecError(`a payload encrypted with key ${JSON.stringify(id)} cannot be decrypted: it was altered, or the key is another one`);
    }
    return temporal.api.common.v1.Payload.decode(clear);
  }

  return {
    encode: async (payloads) => payloads.map(encrypt),
    decode: async (payloads) => payloads.map(decrypt),
  };
}
