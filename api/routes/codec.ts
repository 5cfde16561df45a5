/**
 * The codec endpoint of Temporal's codec-server protocol: `POST /codec/encode` and
 * `POST /codec/decode` take `{ payloads: [...] }` (metadata values and data in base64, as in
 * Temporal's JSON) and answer the same shape, encrypted with the current payload key or
 * decrypted. The Temporal UI and CLI call it to show histories in clear to an operator with a
 * token; payloads that are not encrypted come back as they are.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ProvisioningError } from '../../src/errors/index';
import { ApiError, routeGroup } from '../errors';
import { errorSchema } from '../schemas';

const base64 = z.base64({ error: 'must be base64' });

const payloadSchema = z
  .object({
    metadata: z.record(z.string(), base64).default({}).openapi({ description: 'Metadata values in base64, e.g. `encoding`' }),
    data: base64.default('').openapi({ description: 'The payload in base64' }),
  })
  .openapi('Payload');

// Proto3 JSON leaves out an empty list: a run started without input comes as `{}`.
const payloadsSchema = z
  .object({ payloads: z.array(payloadSchema).max(10_000, 'at most 10000 payloads at once').default([]) })
  .openapi('Payloads', {
    example: {
      payloads: [
        { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"eventId":"e-1"}').toString('base64') },
      ],
    },
  });

type WirePayload = z.output<typeof payloadSchema>;

const fromWire = ({ metadata, data }: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  data: Buffer.from(data, 'base64'),
});

const toWire = ({ metadata, data }: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
  data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
});

function codecRoute(operation: 'encode' | 'decode') {
  return createRoute({
    method: 'post',
    path: `/codec/${operation}`,
    summary:
      operation === 'encode'
        ? 'Encrypt payloads with the current payload key (Temporal codec server)'
        : 'Decrypt payloads for the Temporal UI or CLI (Temporal codec server)',
    request: { body: { content: { 'application/json': { schema: payloadsSchema } }, required: true } },
    responses: {
      200: { content: { 'application/json': { schema: payloadsSchema } }, description: `The payloads, ${operation}d, in order` },
      400: {
        content: { 'application/json': { schema: errorSchema } },
        description: 'A payload that cannot be decrypted (its key is not among the payload keys, or it was altered), or a bad body',
      },
    },
  });
}

export function codecRoutes(deps: { payloadCodec?: PayloadCodec }) {
  const app = routeGroup();
  const codec = deps.payloadCodec;
  if (!codec) return app;
  for (const operation of ['encode', 'decode'] as const) {
    app.openapi(codecRoute(operation), async (c) => {
      const { payloads } = c.req.valid('json');
      const done: Payload[] = [];
      // One at a time, so that a payload that cannot be decoded is named by its position.
      for (const [index, payload] of payloads.entries()) {
        try {
          done.push(...(await codec[operation]([fromWire(payload)])));
        } catch (error) {
          if (!(error instanceof ProvisioningError)) throw error;
          throw new ApiError(400, 'PayloadNotDecoded', error.message, [{ path: `payloads.${index}`, message: error.message }]);
        }
      }
      return c.json({ payloads: done.map(toWire) }, 200);
    });
  }
  return app;
}
