import { describe, expect, it } from 'vitest';
import { holdsValue, isEmptyValue, sameValue, toComplexValue } from './values';

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
    [{ a: 1 }, { a: 1 }, true],
    [{ a: 1 }, { A: '1' }, true],
    [{ a: 1, b: null }, { a: 1 }, true],
    [{ a: 1, b: 2 }, { a: 1 }, false],
    [{ a: 1 }, { a: 2 }, false],
    [{ a: 1 }, 'a', false],
    [[{ value: 'x', primary: false }, { value: 'y' }], [{ value: 'y' }, { value: 'x', primary: 'False' }], true],
    [[{ value: 'x' }], [{ value: 'x' }, { value: 'x' }], false],
  ])('%j and %j: %s', (a, b, same) => {
    expect(sameValue(a, b)).toBe(same);
    expect(sameValue(b, a)).toBe(same);
  });
});

describe('holdsValue', () => {
  const admin = { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Administrator', value: 'admin' };
  it.each([
    ['the same elements', [admin], [admin], true],
    ['elements with sub-attributes of the target', [{ ...admin, $ref: 'r', id: 7 }], [admin], true],
    ['elements lacking a desired sub-attribute', [{ value: 'admin', display: 'Administrator' }], [admin], false],
    ['an element more', [admin, { value: 'reader' }], [admin], false],
    ['an element less', [], [admin], false],
    ['scalars as sameValue does', ['False', 'a'], ['a', false], true],
    ['an object for a scalar', [{ value: 'a' }], ['a'], false],
  ])('%s: %s', (_name, held, desired, holds) => {
    expect(holdsValue(held, desired)).toBe(holds);
  });

  it('is sameValue when the target adds nothing', () => {
    expect(holdsValue([admin], [{ ...admin, $ref: 'r' }])).toBe(false);
    expect(sameValue([{ ...admin, $ref: 'r' }], [admin])).toBe(false);
  });
});

describe('toComplexValue', () => {
  it.each([
    [
      { value: 'a', display: '', primary: false, count: 0, meta: { x: 1 }, list: ['a'], none: null },
      { value: 'a', primary: false, count: 0 },
    ],
    [{ meta: {} }, undefined],
    [{}, undefined],
    ['a', undefined],
    [['a'], undefined],
    [null, undefined],
  ])('%j: %j', (value, complex) => {
    expect(toComplexValue(value)).toEqual(complex);
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
