/**
 * Bodies are JSON: a request that carries a body with another content type (or none) is
 * answered 415, saying what to send, before any route reads it.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from './errors';

/** `application/json`, or a `+json` type such as `application/merge-patch+json`, with any parameters. */
function isJson(contentType: string): boolean {
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  return essence === 'application/json' || /^application\/[a-z0-9.-]+\+json$/.test(essence);
}

async function hasBody(c: Context): Promise<boolean> {
  const raw = c.req.raw;
  if (raw.body === null) return false;
  const length = c.req.header('content-length');
  if (length !== undefined) return Number(length) > 0;
  const reader = raw.clone().body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.byteLength > 0) return true;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Middleware: 415 for a body that is not sent as `application/json`. */
export const requireJsonBody: MiddlewareHandler = async (c, next) => {
  const contentType = c.req.header('content-type')?.trim();
  if (!(contentType && isJson(contentType)) && (await hasBody(c))) {
    const sent = contentType ? `not ${contentType.slice(0, 100)}` : 'the request has none';
    throw new ApiError(415, 'UnsupportedMediaType', `send the body as JSON, with Content-Type: application/json (${sent})`);
  }
  await next();
};
