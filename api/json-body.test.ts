import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log/index';
import type { Store } from '../src/store/index';
import { createApi } from './app';
import type { JobControl } from './jobs';
import { BODY_LIMITS, jsonDepth, MAX_JSON_DEPTH } from './json-body';

const TOKEN = 'admin-token-for-tests-0123456789';
// The routes called here refuse the body before they would use the store or the jobs.
const app = createApi({ store: {} as Store, jobs: {} as JobControl, adminToken: TOKEN, logger: createLogger({ level: 'silent' }) });
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function post(path: string, body: string | ReadableStream<Uint8Array>, extra: RequestInit = {}) {
  const response = await app.request(`/api/v1${path}`, { method: 'POST', headers, body, ...extra });
  return { status: response.status, body: (await response.json()) as any };
}

/** A JSON text `{"expression":"[a]","source":{"a":…}}` whose deepest value nests `depth` levels. */
function nested(depth: number): string {
  return `{"expression":"[a]","source":{"a":${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}}}`;
}

/** A stream of `total` bytes of JSON in 64 KiB chunks, sent without a Content-Length. */
function streamed(total: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.byteLength;
    },
  });
}

describe('request body limits', () => {
  it('answers 413 for a body over 1 MiB, by its Content-Length', async () => {
    const body = JSON.stringify({ expression: '[a]', source: { a: 'x'.repeat(BODY_LIMITS.default) } });
    const result = await post('/expressions/evaluate', body);
    expect(result.status).toBe(413);
    expect(result.body.error).toEqual({
      code: 'PayloadTooLarge',
      message: 'the request body is larger than 1 MiB (1048576 bytes), the most this route takes',
    });
  });

  it('answers 413 for a streamed body without a Content-Length once it passes 1 MiB', async () => {
    const result = await post('/expressions/evaluate', streamed(2 * BODY_LIMITS.default), { duplex: 'half' });
    expect(result.status).toBe(413);
    expect(result.body.error.code).toBe('PayloadTooLarge');
  });

  it('takes a body just under 1 MiB', async () => {
    const source = { a: 'x'.repeat(BODY_LIMITS.default - 100) };
    const result = await post('/expressions/evaluate', JSON.stringify({ expression: 'Mid([a], 1, 3)', source }));
    expect(result).toEqual({ status: 200, body: { value: 'xxx', flow: 'value' } });
  });

  it('takes lifecycle event batches up to 16 MiB', async () => {
    const big = JSON.stringify({ events: [{ padding: 'x'.repeat(2 * BODY_LIMITS.default) }] });
    // This process has no lifecycle intake (503): the body got past the limit to the route.
    expect((await post('/lifecycle/events', big)).status).toBe(503);
    const huge = JSON.stringify({ events: [{ padding: 'x'.repeat(BODY_LIMITS.large) }] });
    expect((await post('/lifecycle/events', huge)).status).toBe(413);
  });

  it('refuses JSON nested deeper than 64 levels with 400 before parsing it', async () => {
    expect((await post('/expressions/evaluate', nested(MAX_JSON_DEPTH))).body.error?.code).not.toBe('JsonTooDeep');
    for (const depth of [MAX_JSON_DEPTH + 1, 200_000]) {
      const result = await post('/expressions/evaluate', nested(depth));
      expect(result.status).toBe(400);
      expect(result.body.error).toEqual({
        code: 'JsonTooDeep',
        message: 'the JSON body nests objects and arrays more than 64 levels deep',
        fields: [{ path: '(body)', message: 'nested more than 64 levels deep' }],
      });
    }
  });

  it('declares both in the OpenAPI document', async () => {
    const document = (await (await app.request('/api/v1/openapi.json')).json()) as any;
    const evaluate = document.paths['/expressions/evaluate'].post.responses;
    expect(evaluate['413'].description).toBe('A body larger than 1 MiB (`PayloadTooLarge`)');
    for (const operation of [document.paths['/apps'].post, document.paths['/expressions/evaluate'].post])
      expect(operation.responses['400'].description).toMatch(/nested more than 64 levels deep \(`JsonTooDeep`\)/);
    expect(document.paths['/lifecycle/events'].post.responses['413'].description).toBe('A body larger than 16 MiB (`PayloadTooLarge`)');
  });
});

describe('jsonDepth', () => {
  it.each<[string, number]>([
    ['1', 0],
    ['{}', 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['{"a":"[[[{{{"}', 1],
    ['{"a":"\\"[[["}', 1],
    ['[[],[[]]]', 3],
  ])('%s nests %d deep', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });
});
