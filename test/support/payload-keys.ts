/**
 * The payload keys of a test process: the clients, workers and test environments of one test
 * file encrypt with the same keys, as one deployment's processes do.
 */
import { defaultPayloadConverter, type ProtoFailure } from '@temporalio/common';
import { encryptingDataConverter } from '../../src/temporal/data-converter';
import { createPayloadCodec } from '../../src/temporal/payload-codec';
import { newPayloadKey, parsePayloadKeys } from '../../src/temporal/payload-keys';

/** The keys in `SCIMFLOW_PAYLOAD_KEYS` form, for a child process. */
export const TEST_PAYLOAD_KEYS = newPayloadKey();
export const testPayloadKeyring = parsePayloadKeys(TEST_PAYLOAD_KEYS);
export const testDataConverter = encryptingDataConverter(testPayloadKeyring);
const codec = createPayloadCodec(testPayloadKeyring);

/** A failure's message from a fetched history: encrypted in its encoded attributes, plain in older histories. */
export async function failureMessage(failure: ProtoFailure | null | undefined): Promise<string | undefined> {
  if (!failure?.encodedAttributes) return failure?.message ?? undefined;
  const [attributes] = await codec.decode([failure.encodedAttributes]);
  return defaultPayloadConverter.fromPayload<{ message?: string }>(attributes!).message;
}
