/**
 * The implementations of the expression functions, by name. Each reads its arguments through
 * {@link Call}, which evaluates them on demand and converts them with positioned errors.
 * Null (or absent) in, null out, unless Microsoft documents otherwise (Left and Word give "").
 */
import type { SourceValue } from '../../source/index';
import { isDeepStrictEqual } from 'node:util';
import { appRoles } from './app-roles';
import type { Call } from './evaluate';
import { DATE_INTERVALS, DateFormatError, dateAdd, dateDiff, formatDate, fromFileTime, parseDateExact, toFileTime } from './dates';
import { InvalidPattern, applyReplace, replaceMode } from './replace';
import { mapCase, normalizeDiacritics, properCase, randomString, RANDOM_STRING_MAX_LENGTH } from './text';
import { DateTimeValue, IgnoreFlowSignal, isNull, isNullOrEmpty, type Value } from './values';

type Implementation = (call: Call) => Value;

const chars = (text: string) => Array.from(text);

function interval(call: Call): string {
  const value = call.text(0);
  if (value === null || !DATE_INTERVALS.includes(value)) {
    return call.fail(
      `interval must be one of ${DATE_INTERVALS.map((i) => `"${i}"`).join(', ')}, not ${JSON.stringify(value)}`,
      'configuration',
    );
  }
  return value;
}

function random(call: Call): () => number {
  return call.context.random ?? call.fail('needs a random source, which the caller did not provide', 'configuration');
}

function culture(call: Call): string | undefined {
  if (!call.given(1)) return undefined;
  const name = call.text(1);
  if (name === null || name === '') return undefined;
  try {
    return Intl.getCanonicalLocales(name)[0];
  } catch {
    return call.fail(`"${name}" is not a culture name such as "en-US" or "tr-TR"`, 'configuration');
  }
}

function guid(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.min(255, Math.floor(random() * 256)));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function flatten(value: Value): Value[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

export const FUNCTIONS: Record<string, Implementation> = {
  Append(call) {
    const source = call.text(0);
    return source === null ? null : source + (call.text(1) ?? '');
  },

  AppRoleAssignmentsComplex(call) {
    return appRoles(call).map(({ value, display }) => ({ primary: false, type: 'WindowsAzureActiveDirectoryRole', display, value }));
  },

  BitAnd(call) {
    const [a, b] = [call.integer(0), call.integer(1)];
    if (a === null || b === null) return null;
    return Number(BigInt.asIntN(64, BigInt(a) & BigInt(b)));
  },

  CBool(call) {
    return call.condition(0) ?? false;
  },

  CDate(call) {
    const instant = call.date(0);
    return instant === null ? null : new DateTimeValue(instant);
  },

  Coalesce(call) {
    for (let index = 0; index < call.count; index++) {
      const value = call.value(index);
      if (!isNull(value)) return value;
    }
    return null;
  },

  ConvertToBase64(call) {
    const source = call.text(0);
    return source === null ? null : Buffer.from(source, 'utf16le').toString('base64');
  },

  ConvertToUTF8Hex(call) {
    const source = call.text(0);
    return source === null ? null : Buffer.from(source, 'utf8').toString('hex').toUpperCase();
  },

  Count(call) {
    const value = call.value(0);
    if (isNull(value)) return 0;
    return Array.isArray(value) ? value.length : 1;
  },

  CStr(call) {
    return call.text(0);
  },

  DateAdd(call) {
    const unit = interval(call);
    const amount = call.number(1);
    const instant = call.date(2);
    if (amount === null || instant === null) return null;
    return new DateTimeValue(dateAdd(unit, amount, instant));
  },

  DateDiff(call) {
    const unit = interval(call);
    const [from, to] = [call.date(1), call.date(2)];
    if (from === null || to === null) return null;
    return dateDiff(unit, from, to);
  },

  DateFromNum(call) {
    const arg = call.argument(0);
    const value = arg?.type === 'number' && /^-?\d+$/.test(arg.text) ? arg.text : call.value(0);
    if (isNull(value) || value === '') return null;
    const text = typeof value === 'number' ? String(Math.trunc(value)) : typeof value === 'string' ? value.trim() : undefined;
    if (text === undefined || !/^-?\d+$/.test(text))
      return call.fail(`value must be an Active Directory timestamp (a whole number), not ${JSON.stringify(value)}`);
    return new DateTimeValue(fromFileTime(BigInt(text)));
  },

  FormatDateTime(call) {
    const source = call.value(0);
    if (isNull(source) || source === '') return null;
    const [inputFormat, outputFormat] = [call.text(2) ?? '', call.text(3) ?? ''];
    try {
      let instant: number | undefined;
      if (source instanceof DateTimeValue) instant = source.instant;
      else if (typeof source === 'string') instant = parseDateExact(source, inputFormat);
      else return call.fail(`source must be a date string, not ${JSON.stringify(source)}`);
      if (instant === undefined) return call.fail(`${JSON.stringify(source)} does not match the input format "${inputFormat}"`);
      return formatDate(instant, outputFormat);
    } catch (error) {
      if (error instanceof DateFormatError) return call.fail(error.message, 'configuration');
      throw error;
    }
  },

  Guid(call) {
    return guid(random(call));
  },

  IgnoreFlowIfNullOrEmpty(call) {
    const value = call.value(0);
    // Not an error: the signal unwinds the evaluation to the mapping, which then skips the attribute.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (isNullOrEmpty(value)) throw new IgnoreFlowSignal();
    return value;
  },

  IIF(call) {
    return call.condition(0) ? call.value(1) : call.value(2);
  },

  InStr(call) {
    const [haystack, needle] = [call.text(0), call.text(1)];
    const start = call.given(2) ? call.integer(2) : 1;
    const arg = call.argument(3);
    const compare = call.given(3) ? (arg?.type === 'name' ? arg.name : call.text(3)) : 'vbBinaryCompare';
    if (compare !== 'vbBinaryCompare' && compare !== 'vbTextCompare') {
      return call.fail(`compareType must be vbBinaryCompare or vbTextCompare, not ${JSON.stringify(compare)}`, 'configuration');
    }
    if (start !== null && start < 1) return call.fail(`start is 1-based, so ${start} is not a position`);
    if (haystack === null || needle === null) return null;
    const fold = (text: string) => chars(compare === 'vbTextCompare' ? mapCase(text, 'lower') : text);
    const [h, n] = [fold(haystack), fold(needle)];
    const from = (start ?? 1) - 1;
    if (from > h.length) return 0;
    for (let index = from; index + n.length <= h.length; index++) {
      if (n.every((char, offset) => h[index + offset] === char)) return index + 1;
    }
    return 0;
  },

  IsNull(call) {
    return isNull(call.value(0));
  },

  IsNullOrEmpty(call) {
    return isNullOrEmpty(call.value(0));
  },

  IsPresent(call) {
    return !isNullOrEmpty(call.value(0));
  },

  IsString(call) {
    const value = call.value(0);
    return typeof value === 'string' || value instanceof DateTimeValue;
  },

  Item(call) {
    const index = call.integer(1);
    if (index === null || index < 1) return call.fail(`index is 1-based, so ${JSON.stringify(index)} is not a position`);
    const value = call.value(0);
    if (isNull(value)) return null;
    const items = Array.isArray(value) ? value : [value];
    return items[index - 1] ?? null;
  },

  Join(call) {
    const separator = call.text(0) ?? '';
    const parts: string[] = [];
    for (let index = 1; index < call.count; index++) {
      for (const item of flatten(call.value(index))) {
        if (isNull(item) || item === '') continue;
        if (typeof item === 'object' && !(item instanceof DateTimeValue))
          return call.fail(`source${index} holds an object, which cannot be joined`);
        parts.push(
          item instanceof DateTimeValue
            ? formatDate(item.instant, 'M/d/yyyy h:mm:ss tt')
            : typeof item === 'boolean'
              ? item
                ? 'True'
                : 'False'
              : String(item),
        );
      }
    }
    return parts.join(separator);
  },

  Left(call) {
    const source = call.text(0);
    const count = call.integer(1);
    if (count === null) return call.fail('numChars must be a number');
    if (source === null || count === 0) return '';
    return count < 0 ? source : chars(source).slice(0, count).join('');
  },

  Mid(call) {
    const source = call.text(0);
    const [start, length] = [call.integer(1), call.integer(2)];
    if (start === null || start < 1) return call.fail(`start is 1-based, so ${JSON.stringify(start)} is not a position`);
    if (length === null || length < 0) return call.fail(`length must be at least 0, not ${JSON.stringify(length)}`);
    if (source === null) return null;
    return chars(source)
      .slice(start - 1, start - 1 + length)
      .join('');
  },

  NormalizeDiacritics(call) {
    const source = call.text(0);
    return source === null ? null : normalizeDiacritics(source);
  },

  Not(call) {
    const value = call.value(0);
    if (isNull(value) || value === '') return true;
    const condition = call.condition(0);
    return !condition;
  },

  Now(call) {
    const now = call.context.now ?? call.fail('needs the current time, which the caller did not provide', 'configuration');
    return new DateTimeValue(now.getTime());
  },

  NumFromDate(call) {
    const instant = call.date(0);
    return instant === null ? null : toFileTime(instant);
  },

  PCase(call) {
    const source = call.text(0);
    if (source === null) return null;
    const separators = call.given(1) ? (call.text(1) ?? undefined) : undefined;
    return properCase(source, separators);
  },

  RandomString(call) {
    const [length, numbers, special, capital, lower] = [0, 1, 2, 3, 4].map((index) => {
      const value = call.integer(index);
      if (value === null || value < 0) return call.fail(`argument ${index + 1} must be a whole number of at least 0`, 'configuration');
      return value;
    }) as [number, number, number, number, number];
    if (length > RANDOM_STRING_MAX_LENGTH)
      return call.fail(`length is at most ${RANDOM_STRING_MAX_LENGTH}, not ${length}`, 'configuration');
    if (numbers + special + capital + lower > length)
      return call.fail(`length ${length} is less than the minimums ask for`, 'configuration');
    const avoid = call.given(5) ? (call.text(5) ?? '') : '';
    try {
      return randomString({ length, numbers, special, capital, lower, avoid }, random(call));
    } catch (error) {
      if (error instanceof RangeError) return call.fail(error.message, 'configuration');
      throw error;
    }
  },

  Redact(call) {
    return call.value(0);
  },

  RemoveDuplicates(call) {
    const value = call.value(0);
    if (!Array.isArray(value)) return value;
    const unique: SourceValue[] = [];
    for (const item of value) if (!unique.some((kept) => isDeepStrictEqual(kept, item))) unique.push(item);
    return unique;
  },

  Replace(call) {
    const mode = replaceMode(call.node.args.map((_, index) => call.given(index)));
    if (mode.startsWith('!')) return call.fail(mode.slice(1), 'configuration');
    const optional = (index: number) => (call.given(index) ? (call.text(index) ?? '') : '');
    try {
      return applyReplace(mode as Exclude<typeof mode, `!${string}`>, {
        source: call.text(0),
        oldValue: optional(1),
        pattern: optional(2),
        group: optional(3),
        replacement: optional(4),
        attribute: call.given(5) ? call.text(5) : null,
        template: optional(6),
      });
    } catch (error) {
      if (error instanceof InvalidPattern)
        return call.fail(`regexPattern is not a valid regular expression (${error.message})`, 'configuration');
      throw error;
    }
  },

  SelectUniqueValue(call) {
    return call.fail('must be the whole expression', 'configuration');
  },

  SingleAppRoleAssignment(call) {
    const roles = appRoles(call);
    if (roles.length === 0) return null;
    if (roles.length > 1)
      return call.fail(
        `the user has ${roles.length} app roles and this function needs exactly one; use AppRoleAssignmentsComplex for several`,
      );
    return roles[0]!.value;
  },

  Split(call) {
    const source = call.text(0);
    if (source === null) return null;
    const delimiter = call.text(1) ?? '';
    return delimiter === '' ? [source] : source.split(delimiter).map((part) => part.trim());
  },

  StripSpaces(call) {
    const source = call.text(0);
    return source === null ? null : source.replaceAll(' ', '');
  },

  Switch(call) {
    const source = call.text(0) ?? '';
    for (let index = 2; index + 1 < call.count; index += 2) {
      if ((call.text(index) ?? '') === source) return call.value(index + 1);
    }
    return call.given(1) ? call.value(1) : null;
  },

  ToLower(call) {
    const source = call.text(0);
    return source === null ? null : mapCase(source, 'lower', culture(call));
  },

  ToUpper(call) {
    const source = call.text(0);
    return source === null ? null : mapCase(source, 'upper', culture(call));
  },

  Word(call) {
    const source = call.text(0);
    const number = call.integer(1);
    const delimiters = call.text(2) ?? '';
    if (source === null || number === null || number < 1) return '';
    const words: string[] = [];
    let word = '';
    for (const char of source) {
      if (delimiters.includes(char)) {
        if (word !== '') words.push(word);
        word = '';
      } else word += char;
    }
    if (word !== '') words.push(word);
    return words[number - 1] ?? '';
  },
};
