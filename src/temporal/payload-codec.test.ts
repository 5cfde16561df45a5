import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { ProvisioningError } from '../errors/index';
import { projectRoot } from '../tools/index';
import { createPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './payload-codec';
import { loadOrCreatePayloadKeys, parsePayloadKeys, PAYLOAD_KEYS_ENV } from './payload-keys';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const person = { displayName: 'Ada Lovelace', mail: 'ada.lovelace@example.com', employeeId: '4711' };
const payload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const value = (encoded: Payload): unknown => defaultPayloadConverter.fromPayload(encoded);
const clearText = (encoded: Payload) => Buffer.concat([encoded.data!, ...Object.values(encoded.metadata ?? {})]).toString('latin1');

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('the payload codec', () => {
  const codec = createPayloadCodec(parsePayloadKeys(`old:${oldKey.toString('hex')}`));

  it('round-trips payloads, metadata included, and leaves nothing in clear', async () => {
    const payloads = [payload(person), payload(null), payload('Ada Lovelace'), defaultPayloadConverter.toPayload(new Uint8Array([1, 2]))];
    const encoded = await codec.encode(payloads);
    for (const one of encoded) {
      expect(Buffer.from(one.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(one.metadata![KEY_ID_METADATA]!).toString()).toBe('old');
      expect(clearText(one)).not.toMatch(/Ada|Lovelace|4711|json/);
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map(value)).toEqual([person, null, 'Ada Lovelace', new Uint8Array([1, 2])]);
    expect(Buffer.from(decoded[0]!.metadata!.encoding!).toString()).toBe('json/plain');
  });

  it('uses a fresh IV for each payload', async () => {
    const [a, b] = await codec.encode([payload(person), payload(person)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes payloads that are not encrypted through (histories from before encryption)', async () => {
    const plain = [payload(person), payload(undefined)];
    expect(await codec.decode(plain)).toEqual(plain);
  });

  it('encrypts with the newest key after a rotation and still decrypts with the old one', async () => {
    const [before] = await codec.encode([payload(person)]);
    const rotated = createPayloadCodec(parsePayloadKeys(`new:${newKey.toString('base64')},old:${oldKey.toString('hex')}`));
    const [after] = await rotated.encode([payload(person)]);
    expect(Buffer.from(after!.metadata![KEY_ID_METADATA]!).toString()).toBe('new');
    expect((await rotated.decode([before!, after!])).map(value)).toEqual([person, person]);
  });

  it('names the key id it does not know', async () => {
    const [encoded] = await codec.encode([payload(person)]);
    const other = createPayloadCodec(parsePayloadKeys(`new:${newKey.toString('hex')}`));
    const error = await rejection(other.decode([encoded!]));
    expect(error).toBeInstanceOf(ProvisioningError);
    expect(error.message).toContain('"old"');
    expect(error.message).toContain(PAYLOAD_KEYS_ENV);
  });

  it('refuses altered data, a swapped key id and a truncated payload', async () => {
    const [encoded] = await codec.encode([payload(person)]);
    const data = Buffer.from(encoded!.data!);
    for (const index of [0, 12, data.length - 1]) {
      const altered = Buffer.from(data);
      altered[index]! ^= 0x01;
      const error = await rejection(codec.decode([{ ...encoded!, data: altered }]));
      expect(error.message).toMatch(/key "old" cannot be decrypted: it was altered/);
    }
    // The same key under another id: the id is bound to the ciphertext.
    const twice = createPayloadCodec(parsePayloadKeys(`other:${oldKey.toString('hex')},old:${oldKey.toString('hex')}`));
    const renamed = { ...encoded!, metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from('other') } };
    expect((await rejection(twice.decode([renamed]))).message).toMatch(/key "other" cannot be decrypted/);
    expect((await rejection(codec.decode([{ ...encoded!, data: data.subarray(0, 20) }]))).message).toMatch(/truncated/);
  });
});

describe('parsePayloadKeys', () => {
  it('reads entries newest first, separated by commas or lines, with comments', () => {
    const ring = parsePayloadKeys(`# rotated in June\n2026-06:${newKey.toString('hex')}\n2026-01:${oldKey.toString('base64')}\n`);
    expect(ring.currentId).toBe('2026-06');
    expect([...ring.keys.keys()]).toEqual(['2026-06', '2026-01']);
    expect(ring.keys.get('2026-01')!.equals(oldKey)).toBe(true);
  });

  it.each([
    ['nothing', ' , ', /holds no key/],
    ['no id', oldKey.toString('hex'), /entry 1 must be id:key/],
    ['a bad id', `a b:${oldKey.toString('hex')}`, /entry 1 must be id:key/],
    ['a short key', `k1:${oldKey.toString('hex')},k2:abcd`, /key "k2" must be 32 bytes/],
    ['an id twice', `k1:${oldKey.toString('hex')},k1:${newKey.toString('hex')}`, /names key id "k1" twice/],
  ])('refuses %s without echoing a key', (_, text, message) => {
    let error: unknown;
    try {
      parsePayloadKeys(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProvisioningError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(oldKey.toString('hex'));
  });
});

describe('loadOrCreatePayloadKeys', () => {
  const dir = join(projectRoot, '.test-tmp', `payload-keys-${randomUUID()}`);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('generates one key into the data dir once, and reads it back', async () => {
    const [first, again] = await Promise.all([loadOrCreatePayloadKeys(dir, {}), loadOrCreatePayloadKeys(dir, {})]);
    expect(first.currentId).toMatch(/^\d{8}-[0-9a-f]{6}$/);
    expect(again).toEqual(first);
    expect(await loadOrCreatePayloadKeys(dir, {})).toEqual(first);
    expect((await stat(join(dir, 'payload.keys'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'payload.keys'), 'utf8')).toMatch(/^\d{8}-[0-9a-f]{6}:[0-9a-f]{64}\n$/);
  });

  it('takes SCIMFLOW_PAYLOAD_KEYS over the file', async () => {
    const ring = await loadOrCreatePayloadKeys(dir, { [PAYLOAD_KEYS_ENV]: `env:${newKey.toString('hex')}` });
    expect(ring.currentId).toBe('env');
  });
});
