/**
 * Bodies are JSON: a request that carries a body with another content type (or none) is
 * answered 415, saying what to send, before any route reads it. A body larger than its
 * limit (1 MiB; 16 MiB for lifecycle event batches and the codec) is answered 413, and JSON
 * nested deeper than 64 levels 400, before anything parses it.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors';

const MiB = 1024 * 1024;

/** The most a request body may hold, in bytes. */
export const BODY_LIMITS = { default: MiB, large: 16 * MiB } as const;

/** Routes whose bodies may be large: lifecycle event batches, and Temporal payloads sent to the codec. */
const LARGE_BODY_PATHS = ['/lifecycle/events', '/codec/encode', '/codec/decode'];

/** The body limit of a path, with or without the `/api/v1` prefix. */
export function bodyLimitFor(path: string): number {
  return LARGE_BODY_PATHS.some((large) => path.endsWith(large)) ? BODY_LIMITS.large : BODY_LIMITS.default;
}

/** How deep objects and arrays may nest in a JSON body. */
export const MAX_JSON_DEPTH = 64;

function tooLarge(limit: number): never {
  throw new ApiError(
    413,
    'PayloadTooLarge',
    `the request body is larger than ${limit / MiB} MiB (${limit} bytes), the most this route takes`,
  );
}

/** Middleware: 413 for a body over its path's limit (by Content-Length at once, else as it is read). */
export const limitBodySize: MiddlewareHandler = async (c, next) => {
  const limit = bodyLimitFor(c.req.path);
  return bodyLimit({ maxSize: limit, onError: () => tooLarge(limit) })(c, next);
};

/**
 * How deep objects and arrays nest in a JSON text, counted without parsing it (strings are
 * skipped), stopping once past `stopAbove`.
 *
 * @example jsonDepth('{"a":[1,{"b":"[["}]}') // 3
 */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (char === 0x7d || char === 0x5d) depth--;
  }
  return deepest;
}

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

/** Middleware: 415 for a body that is not sent as `application/json`, 400 for JSON nested too deep. */
export const requireJsonBody: MiddlewareHandler = async (c, next) => {
  const contentType = c.req.header('content-type')?.trim();
  const json = contentType !== undefined && isJson(contentType);
  if (!json && (await hasBody(c))) {
    const sent = contentType ? `not ${contentType.slice(0, 100)}` : 'the request has none';
    throw new ApiError(415, 'UnsupportedMediaType', `send the body as JSON, with Content-Type: application/json (${sent})`);
  }
  // The route parses the text read here (hono keeps it), so the depth is checked before any parse.
  if (json && c.req.raw.body !== null && jsonDepth(await c.req.text(), MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new ApiError(400, 'JsonTooDeep', `the JSON body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`, [
      { path: '(body)', message: `nested more than ${MAX_JSON_DEPTH} levels deep` },
    ]);
  }
  await next();
};
