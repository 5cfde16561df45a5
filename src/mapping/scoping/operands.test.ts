import { describe, expect, it } from 'vitest';
import { isEmptyOperand, parseIsoDate, toInteger } from './operands';

describe('parseIsoDate', () => {
  const ticks = (iso: string) => BigInt(Date.parse(iso)) * 10_000n;

  it.each<[string, bigint]>([
    ['2024-03-01', ticks('2024-03-01T00:00:00Z')],
    ['2024-02-29', ticks('2024-02-29T00:00:00Z')],
    ['2000-02-29', ticks('2000-02-29T00:00:00Z')],
    ['2024-03-01T10:20', ticks('2024-03-01T10:20:00Z')],
    ['2024-03-01T10:20:30Z', ticks('2024-03-01T10:20:30Z')],
    ['2024-03-01T10:20:30.5Z', ticks('2024-03-01T10:20:30Z') + 5_000_000n],
    ['2024-03-01T10:20:30.1234567Z', ticks('2024-03-01T10:20:30Z') + 1_234_567n],
    ['2024-03-01T10:20:30+02:00', ticks('2024-03-01T08:20:30Z')],
    ['2024-03-01T10:20:30-05:30', ticks('2024-03-01T15:50:30Z')],
    ['0099-01-01', ticks('0099-01-01T00:00:00Z')],
  ])('%s', (text, expected) => {
    expect(parseIsoDate(text)).toEqual({ ticks: expected });
  });

  it.each<[string, string]>([
    ['2023-02-29', 'February 2023 has no day 29'],
    ['1900-02-29', 'February 1900 has no day 29'],
    ['2024-04-31', 'April 2024 has no day 31'],
    ['2024-00-10', 'month 00 is not between 01 and 12'],
    ['2024-13-01', 'month 13 is not between 01 and 12'],
    ['2024-01-01T24:00Z', 'hour 24 is not between 00 and 23'],
    ['2024-01-01T10:60Z', 'minute 60 is not between 00 and 59'],
    ['2024-01-01T10:00:60Z', 'second 60 is not between 00 and 59'],
    ['2024-01-01T10:00+24:00', 'offset +24:00 is out of range'],
    ['2024-1-1', 'expected YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fffffff]][Z|±hh:mm]'],
    ['2024-01-01T10', 'expected YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fffffff]][Z|±hh:mm]'],
    ['2024-01-01T10:00:00.12345678Z', 'expected YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fffffff]][Z|±hh:mm]'],
  ])('%s: %s', (text, problem) => {
    expect(parseIsoDate(text)).toEqual({ problem });
  });
});

describe('toInteger', () => {
  it.each<[unknown, bigint | undefined]>([
    [42, 42n],
    [-3, -3n],
    ['42', 42n],
    ['+42', 42n],
    ['-0042', -42n],
    ['123456789012345678901234567890', 123456789012345678901234567890n],
    [1.5, undefined],
    ['1.5', undefined],
    [' 42', undefined],
    ['1e3', undefined],
    ['0x10', undefined],
    ['', undefined],
    [true, undefined],
    [null, undefined],
  ])('%j', (value, expected) => {
    expect(toInteger(value)).toBe(expected);
  });
});

describe('isEmptyOperand', () => {
  it.each<[unknown, boolean]>([
    [undefined, true],
    [null, true],
    ['', true],
    [[], true],
    [[null, ''], true],
    [[[]], true],
    [' ', false],
    [0, false],
    [false, false],
    [{}, false],
    [['', 'x'], false],
  ])('%j: %s', (value, empty) => {
    expect(isEmptyOperand(value as never)).toBe(empty);
  });
});
