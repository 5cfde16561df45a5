import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index';
import type { Store } from '../../src/store/index';
import { createApi } from '../app';
import type { JobControl } from '../jobs';

const TOKEN = 'admin-token-for-tests-0123456789';
// The expression routes use neither the store nor the jobs.
const app = createApi({ store: {} as Store, jobs: {} as JobControl, adminToken: TOKEN, logger: createLogger({ level: 'silent' }) });

async function evaluate(body: unknown) {
  const response = await app.request('/api/v1/expressions/evaluate', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('POST /api/v1/expressions/evaluate', () => {
  it.each<[string, unknown, Record<string, unknown>, unknown]>([
    ['joins attributes', 'Join(".", [givenName], [surname])', { givenName: 'Zoë', surname: 'Øster' }, 'Zoë.Øster'],
    ['normalises diacritics and lowers case', 'ToLower(NormalizeDiacritics([givenName]))', { givenName: 'Zoë Ångström' }, 'zoe angstrom'],
    ['gives null for a missing attribute', '[department]', {}, null],
    ['branches on a comparison', 'IIF([country]="US","USA",[country])', { country: 'US' }, 'USA'],
    ['splits into an array', 'Split([proxies], ",")', { proxies: 'a,b' }, ['a', 'b']],
    ['answers booleans', 'IsNullOrEmpty([mail])', { mail: '' }, true],
  ])('%s', async (_name, expression, source, value) => {
    const result = await evaluate({ expression, source });
    expect(result).toEqual({ status: 200, body: { value, flow: 'value' } });
  });

  it('reports IgnoreFlowIfNullOrEmpty and SelectUniqueValue as what they are', async () => {
    expect((await evaluate({ expression: 'IgnoreFlowIfNullOrEmpty([mail])', source: {} })).body).toEqual({ value: null, flow: 'ignored' });
    const unique = await evaluate({
      expression: 'SelectUniqueValue([mailNickname], Join("", [mailNickname], "1"))',
      source: { mailNickname: 'ada' },
    });
    expect(unique.body).toEqual({ value: ['ada', 'ada1'], flow: 'uniqueCandidates' });
  });

  it.each<[string, string, number]>([
    ['a missing parenthesis', 'Join(".", [a]', 14],
    ['an unknown function', 'Concat([a], [b])', 1],
    ['an unterminated string', 'Append([a], "x)', 13],
  ])('answers 400 with the position for %s', async (_name, expression, position) => {
    const result = await evaluate({ expression, source: {} });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: 'InvalidExpression', position, line: 1 });
    expect(result.body.error.message).toMatch(new RegExp(`^at ${position}: `));
    expect(result.body.error.fields[0].path).toBe('expression');
  });

  it('answers 400 for an evaluation error on the sample data', async () => {
    const result = await evaluate({ expression: 'CDate([hired])', source: { hired: 'soon' } });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: 'EvaluationFailed', position: 1 });
  });

  it('runs an admin-written pattern in linear time: (a+)+$ on a long run of a before a !', async () => {
    const started = performance.now();
    const result = await evaluate({ expression: 'Replace([a], , "(a+)+$", , "x", , )', source: { a: `${'a'.repeat(50_000)}!` } });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result).toEqual({ status: 200, body: { value: `${'a'.repeat(50_000)}!`, flow: 'value' } });
    const short = await evaluate({ expression: 'Replace([a], , "(a+)+$", , "x", , )', source: { a: 'baaa' } });
    expect(short.body.value).toBe('bx');
  });

  it.each<[string, string, number]>([
    ['a backreference', 'Replace([a], , "(a)\\1", , "x", , )', 16],
    ['a lookahead', 'Replace([a], , "a(?!b)", , "x", , )', 16],
  ])('refuses %s, which the linear-time engine cannot match, with 400 naming the position', async (_name, expression, position) => {
    const result = await evaluate({ expression, source: { a: 'aa' } });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: 'InvalidExpression', position });
    expect(result.body.error.message).toMatch(/regexPattern is not a valid regular expression \(.*linear-time engine \(RE2\)/);
  });

  it('rejects a body without an expression', async () => {
    const result = await evaluate({ source: {} });
    expect(result.status).toBe(400);
    expect(result.body.error.fields[0].path).toBe('expression');
  });
});

describe('GET /api/v1/expressions/functions', () => {
  it('lists every function with its signature', async () => {
    const response = await app.request('/api/v1/expressions/functions', { headers: { authorization: `Bearer ${TOKEN}` } });
    const { items } = (await response.json()) as { items: { name: string; signature: string; description: string }[] };
    const names = items.map((f) => f.name);
    for (const name of ['Append', 'Join', 'Replace', 'SelectUniqueValue', 'Switch', 'NormalizeDiacritics', 'FormatDateTime', 'IIF', 'Word'])
      expect(names).toContain(name);
    expect(items.find((f) => f.name === 'Join')?.signature).toMatch(/^Join\(/);
    expect(items.every((f) => f.description.length > 0)).toBe(true);
  });
});
