import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index';
import type { Store } from '../../src/store/index';
import { createPayloadCodec } from '../../src/temporal/payload-codec';
import { parsePayloadKeys } from '../../src/temporal/payload-keys';
import { createApi } from '../app';
import type { JobControl } from '../jobs';

const TOKEN = 'admin-token-for-tests-0123456789';
const UI = 'http://localhost:8233';
const codec = createPayloadCodec(parsePayloadKeys(`k1:${randomBytes(32).toString('hex')}`));
const app = createApi({
  store: {} as Store,
  jobs: {} as JobControl,
  adminToken: TOKEN,
  logger: createLogger({ level: 'silent' }),
  payloadCodec: codec,
  codecCorsOrigins: [UI],
});

const wire = (value: unknown) => {
  const payload = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(payload.data!).toString('base64'),
  };
};
const valueOf = (payload: { metadata: Record<string, string>; data: string }) =>
  defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(Object.entries(payload.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(payload.data, 'base64'),
  });

async function post(path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  const response = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: UI, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe.each(['/codec', '/api/v1/codec'])('the codec endpoint at %s', (base) => {
  it('encodes and decodes payloads in order, passing plain ones through', async () => {
    const person = { displayName: 'Ada Lovelace' };
    const encoded = await post(`${base}/encode`, { payloads: [wire(person), wire('x')] });
    expect(encoded.status).toBe(200);
    for (const payload of encoded.body.payloads) expect(Buffer.from(payload.data, 'base64').toString('latin1')).not.toContain('Lovelace');
    expect(encoded.body.payloads.map((p: any) => Buffer.from(p.metadata.encoding, 'base64').toString())).toEqual([
      'binary/encrypted',
      'binary/encrypted',
    ]);
    expect(encoded.headers.get('access-control-allow-origin')).toBe(UI);
    const decoded = await post(`${base}/decode`, { payloads: [...encoded.body.payloads, wire(7)] });
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads.map(valueOf)).toEqual([person, 'x', 7]);
  });

  it('takes an empty list as proto3 JSON writes it, leaving the field out (a run started without input)', async () => {
    for (const operation of ['encode', 'decode']) {
      const answer = await post(`${base}/${operation}`, {});
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ payloads: [] });
    }
  });

  it('needs the token', async () => {
    const none = await post(`${base}/decode`, { payloads: [] }, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('access-control-allow-origin')).toBe(UI);
    expect((await post(`${base}/decode`, { payloads: [] }, { authorization: 'Bearer wrong-token' })).status).toBe(401);
  });

  it("answers the Temporal UI's preflight without a token, and no other origin", async () => {
    const preflight = (origin: string) =>
      app.request(`${base}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const ui = await preflight(UI);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ui.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
    expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await preflight('http://evil.test')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 400 naming the payload that cannot be decrypted, and a bad body', async () => {
    const other = createPayloadCodec(parsePayloadKeys(`k0:${randomBytes(32).toString('hex')}`));
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')]);
    const body = {
      payloads: [
        wire('fine'),
        {
          metadata: Object.fromEntries(Object.entries(foreign!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          data: Buffer.from(foreign!.data!).toString('base64'),
        },
      ],
    };
    const refused = await post(`${base}/decode`, body);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'PayloadNotDecoded', fields: [{ path: 'payloads.1' }] });
    expect(refused.body.error.message).toContain('"k0"');
    const bad = await post(`${base}/decode`, { payloads: [{ data: 'not base64!' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ path: 'payloads.0.data', message: 'must be base64' }]);
  });
});

describe('signing a browser in for the Temporal UI', () => {
  const signIn = (token: string) =>
    app.request('/codec/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });

  it('serves the form without a token', async () => {
    const form = await app.request('/codec/sign-in');
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="token"');
  });

  it('keeps the admin token in an HttpOnly cookie that the codec routes accept', async () => {
    const signedIn = await signIn(TOKEN);
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^scimflow_codec_token=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const decoded = await post('/codec/decode', { payloads: [wire('x')] }, { cookie: cookie.split(';')[0]! });
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads.map(valueOf)).toEqual(['x']);
  });

  it('refuses another token, and a cookie with another token', async () => {
    const refused = await signIn('not-the-admin-token');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect((await post('/codec/decode', { payloads: [] }, { cookie: 'scimflow_codec_token=nope' })).status).toBe(401);
  });
});

describe('the OpenAPI document', () => {
  it('describes the codec routes with an example', async () => {
    const document = (await (await app.request('/api/v1/openapi.json')).json()) as any;
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/codec/encode', '/codec/decode']));
    expect(document.components.schemas.Payloads.example.payloads).toHaveLength(1);
    expect(document.paths['/codec/sign-in'].post.servers).toEqual([{ url: '/' }]);
  });
});
