/**
 * The data converter of every scimflow client, worker and test environment: payloads go
 * through the encrypting codec, and failures carry their message and stack trace in an
 * encoded (so encrypted) attribute. Workflow code gets the same failure converter through its
 * bundle (see bundleWorkflows).
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { createPayloadCodec } from './payload-codec';
import type { PayloadKeyring } from './payload-keys';

/** The module with the failure converter, loaded by path by the SDK. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/** The data converter that encrypts with the keyring's current key. */
export function encryptingDataConverter(keyring: PayloadKeyring): DataConverter {
  return { payloadCodecs: [createPayloadCodec(keyring)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
