import { describe, expect, it } from 'vitest';
import { ProvisioningError } from '../errors/index';
import { classifyStatus, errorFromResponse, excerpt, invalidResponse, networkError, readErrorBody, redact, timeoutError } from './errors';

const request = { method: 'POST', path: '/Users' };

describe('classifyStatus', () => {
  it.each([
    [400, 'permanent', 'BadRequest'],
    [401, 'configuration', 'Unauthorized'],
    [403, 'configuration', 'NotPermitted'],
    [404, 'permanent', 'NotFound'],
    [405, 'configuration', 'NotImplemented'],
    [408, 'transient', 'Timeout'],
    [409, 'conflict', 'Conflict'],
    [410, 'permanent', 'BadRequest'],
    [412, 'transient', 'PreconditionFailed'],
    [413, 'permanent', 'BadRequest'],
    [422, 'permanent', 'UnprocessableEntity'],
    [429, 'transient', 'TooManyRequests'],
    [500, 'transient', 'InternalServerError'],
    [501, 'configuration', 'NotImplemented'],
    [502, 'transient', 'InternalServerError'],
    [503, 'transient', 'ServiceUnavailable'],
    [504, 'transient', 'InternalServerError'],
    [599, 'transient', 'InternalServerError'],
    [301, 'configuration', 'InvalidConfiguration'],
    [302, 'configuration', 'InvalidConfiguration'],
    [101, 'permanent', 'InvalidResponse'],
  ])('%i is %s %s', (status, kind, code) => {
    expect(classifyStatus(status)).toEqual({ kind, code });
  });
});

describe('readErrorBody', () => {
  it.each([
    [
      'a SCIM error',
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName taken"}',
      { scimType: 'uniqueness', detail: 'userName taken' },
    ],
    ['a SCIM error without schemas', '{"status":400,"scimType":"invalidFilter"}', { scimType: 'invalidFilter' }],
    ['a SCIM error with an empty scimType', '{"scimType":"","detail":"bad"}', { detail: 'bad' }],
    [
      'JSON of another shape (Zoom)',
      '{"code":429,"message":"Too many requests."}',
      { detail: '{"code":429,"message":"Too many requests."}' },
    ],
    [
      'an HTML page',
      '<html>\n  <body><h1>502 Bad Gateway</h1></body>\n</html>\n',
      { detail: '<html> <body><h1>502 Bad Gateway</h1></body> </html>' },
    ],
    ['plain text', '  Rate limit exceeded  ', { detail: 'Rate limit exceeded' }],
    ['an empty body', '', {}],
    ['a JSON array', '["x"]', { detail: '["x"]' }],
  ])('reads %s', (_name, body, expected) => {
    expect(readErrorBody(body)).toEqual(expected);
  });

  it('cuts a long body to 500 characters', () => {
    const detail = readErrorBody('x'.repeat(2000)).detail ?? '';
    expect(detail.length).toBe(500);
    expect(detail.endsWith('…')).toBe(true);
  });
});

describe('excerpt', () => {
  it.each([
    ['', undefined],
    ['   \n ', undefined],
    ['a\n\n b', 'a b'],
    ['abcdef', 'abcdef'],
  ])('%j -> %j', (text, expected) => {
    expect(excerpt(text)).toBe(expected);
  });
});

describe('errorFromResponse', () => {
  it('names method, path and status and keeps the SCIM detail and scimType', () => {
    const error = errorFromResponse(
      request,
      409,
      '{"scimType":"uniqueness","detail":"One or more of the attribute values are already in use"}',
    );
    expect(error).toBeInstanceOf(ProvisioningError);
    expect(error).toMatchObject({ kind: 'conflict', code: 'Conflict', status: 409, scimType: 'uniqueness' });
    expect(error.message).toBe('POST /Users failed with HTTP 409: One or more of the attribute values are already in use');
  });

  it.each([
    ['2.128', 2128],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    [null, undefined],
    ['soon', undefined],
  ])('reads Retry-After %j as %j ms', (header, expected) => {
    const error = errorFromResponse(request, 429, '', header, Date.parse('2026-01-01T00:00:00Z'));
    expect(error.retryAfterMs).toBe(expected);
  });

  it('says that a redirect means the base URL is wrong', () => {
    const error = errorFromResponse({ method: 'GET', path: '/Users' }, 301, '');
    expect(error.kind).toBe('configuration');
    expect(error.message).toContain('redirected');
  });
});

describe('timeoutError and networkError', () => {
  it('are transient and name the request', () => {
    expect(timeoutError(request, 30_000)).toMatchObject({
      kind: 'transient',
      code: 'Timeout',
      message: 'POST /Users got no answer within 30000 ms',
    });
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const error = networkError(request, new TypeError('fetch failed', { cause }));
    expect(error).toMatchObject({ kind: 'transient', code: 'NetworkError', detail: 'fetch failed: connect ECONNREFUSED 127.0.0.1:9' });
  });
});

describe('redact', () => {
  it.each([
    ['echo: Bearer s3cr3t-token-value', ['Bearer s3cr3t-token-value', 's3cr3t-token-value'], 'echo: [redacted]'],
    ['token=s3cr3t-token-value&x=s3cr3t-token-value', ['Bearer s3cr3t-token-value', 's3cr3t-token-value'], 'token=[redacted]&x=[redacted]'],
    ['short secrets stay: abc', ['abc'], 'short secrets stay: abc'],
    ['nothing to hide', ['s3cr3t-token-value'], 'nothing to hide'],
  ])('%j', (text, secrets, expected) => {
    expect(redact(text, secrets)).toBe(expected);
  });

  it.each([
    ['a token reflowed over two lines', 'Bearer s3cr3t-token-value\n', 'echo: Bearer s3cr3t-token-value', 'echo: [redacted]'],
    ['a secret with a line break, collapsed', 'Bearer abcd\nefgh-1234', 'said "Bearer abcd efgh-1234"', 'said "[redacted]"'],
  ])('matches %s', (_name, secret, text, expected) => {
    expect(redact(text, [secret])).toBe(expected);
  });
});

describe('scrubbing peer text through the request line', () => {
  const token = 's3cr3t-token-value-0123456789';
  const scrubbed = { ...request, redact: (text: string) => redact(text, [`Bearer ${token}`, token]) };

  it.each([
    ['an error body', () => errorFromResponse(scrubbed, 400, `${'x'.repeat(480)} Bearer ${token}`)],
    ['an error body cut at the excerpt limit', () => errorFromResponse(scrubbed, 400, `${'x'.repeat(490)}${token}`)],
    ['a 2xx body that is not SCIM', () => invalidResponse(scrubbed, 200, 'a body that is not JSON', `${'y'.repeat(495)}${token}`)],
    ['a network failure', () => networkError(scrubbed, new TypeError('fetch failed', { cause: new Error(`proxy said ${token}`) }))],
  ])('keeps no part of the token from %s', (_name, make) => {
    const error = make();
    const everything = `${JSON.stringify(error)} ${error.stack}`;
    expect(everything).not.toContain(token.slice(0, 4));
  });
});
