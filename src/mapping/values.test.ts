import { describe, expect, it } from 'vitest';
import { isEmptyValue, sameValue } from './values';

describe('sameValue', () => {
  it.each([
    ['a', 'a', true],
    ['a', 'A', false],
    ['a', ' a', false],
    [true, true, true],
    [true, false, false],
    ['True', true, true],
    [false, 'False', true],
    ['false', true, false],
    ['yes', true, false],
    [1, 1, true],
    [1, '1', true],
    ['1', '1.0', false],
    [1, 'one', false],
    [undefined, undefined, true],
    [undefined, null, true],
    ['', undefined, true],
    [[], undefined, true],
    ['', 'a', false],
    [undefined, false, false],
    [['a', 'b'], ['b', 'a'], true],
    [['a', 'a'], ['a', 'b'], false],
    [['a'], 'a', false],
    [{ a: 1 }, { a: 1 }, false],
  ])('%j and %j: %s', (a, b, same) => {
    expect(sameValue(a, b)).toBe(same);
    expect(sameValue(b, a)).toBe(same);
  });
});

describe('isEmptyValue', () => {
  it.each([
    [undefined, true],
    [null, true],
    ['', true],
    [[], true],
    [' ', false],
    [0, false],
    [false, false],
    [[''], false],
  ])('%j: %s', (value, empty) => {
    expect(isEmptyValue(value)).toBe(empty);
  });
});
