/**
 * Dates as Entra's expression functions see them: instants in UTC (Entra runs in UTC), read from
 * the ISO 8601 and US forms CDate accepts or with a .NET custom format string, written as
 * `M/d/yyyy h:mm:ss tt` unless a format says otherwise. Millisecond precision.
 */

/** DateAdd and DateDiff intervals: year, month, day, week, hour, minute, second. */
export const DATE_INTERVALS = ['yyyy', 'm', 'd', 'ww', 'h', 'n', 's'];

/** .NET DateTimeStyles names FormatDateTime accepts. */
export const DATE_TIME_STYLES = [
  'None',
  'AllowLeadingWhite',
  'AllowTrailingWhite',
  'AllowInnerWhite',
  'AllowWhiteSpaces',
  'NoCurrentDateDefault',
  'AdjustToUniversal',
  'AssumeLocal',
  'AssumeUniversal',
  'RoundtripKind',
];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Milliseconds from 1601-01-01 (the Active Directory epoch) to 1970-01-01. */
const AD_EPOCH_OFFSET = 11_644_473_600_000n;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC; absent means UTC. */
  offset?: number;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): number {
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millisecond));
  date.setUTCFullYear(year); // Date.UTC reads years 0–99 as 1900–1999
  return date.getTime();
}

/** The instant the fields stand for, or undefined when they name no real date or time. */
function toInstant(fields: Fields): number | undefined {
  const { year, month, day, hour, minute, second, millisecond } = fields;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return utc(year, month, day, hour, minute, second, millisecond) - (fields.offset ?? 0) * MINUTE;
}

function offsetMinutes(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (text === 'Z' || text === 'z') return 0;
  const match = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(text);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

function fraction(digits: string | undefined): number {
  return digits === undefined || digits === '' ? 0 : Math.floor(Number(`0.${digits}`) * 1000);
}

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2})?)?$/i;
const US =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*([AP]M)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2})?)?$/i;

/**
 * Reads a date the way CDate does: ISO 8601 (`2009-06-15T01:45:30-07:00`, also Workday's
 * `2020-03-16-07:00` with an offset straight after the date) or US (`8/25/2021 5:41:18 PM`).
 * Without an offset the time is UTC. Undefined when the text is no date.
 */
export function parseDate(text: string): number | undefined {
  const trimmed = text.trim();
  let match = ISO.exec(trimmed);
  if (match) {
    const offset = offsetMinutes(match[8]);
    if (match[8] !== undefined && offset === undefined) return undefined;
    return toInstant({
      year: Number(match[1]),
      month: Number(match[2]),
      day: Number(match[3]),
      hour: Number(match[4] ?? 0),
      minute: Number(match[5] ?? 0),
      second: Number(match[6] ?? 0),
      millisecond: fraction(match[7]),
      ...(offset !== undefined && { offset }),
    });
  }
  match = US.exec(trimmed);
  if (match) {
    let hour = Number(match[4] ?? 0);
    const meridiem = match[8]?.toUpperCase();
    if (meridiem !== undefined) {
      if (hour < 1 || hour > 12) return undefined;
      hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
    }
    const offset = offsetMinutes(match[9]);
    if (match[9] !== undefined && offset === undefined) return undefined;
    return toInstant({
      year: Number(match[3]),
      month: Number(match[1]),
      day: Number(match[2]),
      hour,
      minute: Number(match[5] ?? 0),
      second: Number(match[6] ?? 0),
      millisecond: fraction(match[7]),
      ...(offset !== undefined && { offset }),
    });
  }
  return undefined;
}

// .NET custom date and time format strings ------------------------------------------------

type Token = { kind: 'field'; char: string; count: number } | { kind: 'literal'; text: string };

const FIELD_CHARS = 'yMdhHmsfFtzKg';
const STANDARD_FORMATS: Record<string, string> = {
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  d: 'M/d/yyyy',
  g: 'M/d/yyyy h:mm tt',
  G: 'M/d/yyyy h:mm:ss tt',
  t: 'h:mm tt',
  T: 'h:mm:ss tt',
};

/** A format string that is not valid; the message says why. */
export class DateFormatError extends Error {}

/** Splits a .NET format string into fields and literals; one character is a standard format (en-US). */
export function tokenizeFormat(format: string): Token[] {
  if (format.length === 1) {
    const standard = STANDARD_FORMATS[format];
    if (standard === undefined)
      throw new DateFormatError(
        `"${format}" is not a standard format (${Object.keys(STANDARD_FORMATS).join(', ')}); write "%${format}" for the single field`,
      );
    format = standard;
  }
  const tokens: Token[] = [];
  const literal = (text: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'literal') last.text += text;
    else tokens.push({ kind: 'literal', text });
  };
  for (let index = 0; index < format.length;) {
    const char = format[index]!;
    if (char === "'" || char === '"') {
      const end = format.indexOf(char, index + 1);
      if (end < 0) throw new DateFormatError(`the quote at ${index + 1} of the format is not closed`);
      literal(format.slice(index + 1, end));
      index = end + 1;
    } else if (char === '\\') {
      if (index + 1 >= format.length) throw new DateFormatError('the format ends with "\\"');
      literal(format[index + 1]!);
      index += 2;
    } else if (char === '%') {
      index++;
    } else if (FIELD_CHARS.includes(char)) {
      let count = 1;
      while (format[index + count] === char) count++;
      tokens.push({ kind: 'field', char, count });
      index += count;
    } else {
      literal(char);
      index++;
    }
  }
  return tokens;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** Writes an instant (in UTC) with a .NET custom or standard format string. */
export function formatDate(instant: number, format: string): string {
  const date = new Date(instant);
  const year = date.getUTCFullYear();
  const hour = date.getUTCHours();
  const ticks = date.getUTCMilliseconds() * 10_000;
  return tokenizeFormat(format)
    .map((token) => {
      if (token.kind === 'literal') return token.text;
      const { char, count } = token;
      switch (char) {
        case 'y':
          return count === 2 ? pad(year % 100, 2) : count === 1 ? String(year % 100) : pad(year, count);
        case 'M':
          return count >= 4
            ? MONTHS[date.getUTCMonth()]!
            : count === 3
              ? MONTHS[date.getUTCMonth()]!.slice(0, 3)
              : pad(date.getUTCMonth() + 1, count);
        case 'd':
          return count >= 4 ? DAYS[date.getUTCDay()]! : count === 3 ? DAYS[date.getUTCDay()]!.slice(0, 3) : pad(date.getUTCDate(), count);
        case 'h':
          return pad(hour % 12 === 0 ? 12 : hour % 12, Math.min(count, 2));
        case 'H':
          return pad(hour, Math.min(count, 2));
        case 'm':
          return pad(date.getUTCMinutes(), Math.min(count, 2));
        case 's':
          return pad(date.getUTCSeconds(), Math.min(count, 2));
        case 'f':
        case 'F': {
          if (count > 7) throw new DateFormatError('at most 7 fraction digits ("fffffff")');
          const digits = pad(ticks, 7).slice(0, count);
          return char === 'F' ? digits.replace(/0+$/, '') : digits;
        }
        case 't':
          return (hour < 12 ? 'AM' : 'PM').slice(0, Math.min(count, 2));
        case 'z':
          return count === 1 ? '+0' : count === 2 ? '+00' : '+00:00';
        case 'K':
          return 'Z';
        default:
          return ''; // 'g' (era) is not written for dates in the common era
      }
    })
    .join('');
}

/** Entra's way of writing a date: `3/16/2020 7:00:00 AM`. */
export function formatDefault(instant: number): string {
  return formatDate(instant, 'M/d/yyyy h:mm:ss tt');
}

/**
 * Reads text with a .NET custom or standard format string (ParseExact): leading and trailing
 * white space are allowed, an offset (`zzz`, `K`) converts the time to UTC, no offset means UTC.
 * Undefined when the text does not fit the format.
 */
export function parseDateExact(text: string, format: string): number | undefined {
  const input = text.trim();
  const fields: Fields = { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 };
  let meridiem: 'AM' | 'PM' | undefined;
  let twelveHour = false;
  let at = 0;
  const digits = (min: number, max: number): number | undefined => {
    const match = new RegExp(`^\\d{${min},${max}}`).exec(input.slice(at));
    if (!match) return undefined;
    at += match[0].length;
    return Number(match[0]);
  };
  const word = (words: readonly string[]): number | undefined => {
    const rest = input.slice(at).toLowerCase();
    const index = words.findIndex((w) => rest.startsWith(w.toLowerCase()));
    if (index >= 0) at += words[index]!.length;
    return index >= 0 ? index : undefined;
  };
  for (const token of tokenizeFormat(format)) {
    if (token.kind === 'literal') {
      if (!input.startsWith(token.text, at)) return undefined;
      at += token.text.length;
      continue;
    }
    const { char, count } = token;
    const two = count === 1 ? ([1, 2] as const) : ([2, 2] as const);
    let value: number | undefined;
    switch (char) {
      case 'y':
        value = count <= 2 ? digits(count, 2) : digits(count, count);
        if (value !== undefined && count <= 2) value += value <= 49 ? 2000 : 1900;
        if (value !== undefined) fields.year = value;
        break;
      case 'M':
        value = count >= 4 ? word(MONTHS) : count === 3 ? word(MONTHS.map((m) => m.slice(0, 3))) : digits(two[0], two[1]);
        if (value !== undefined) fields.month = count >= 3 ? value + 1 : value;
        break;
      case 'd':
        value = count >= 4 ? word(DAYS) : count === 3 ? word(DAYS.map((d) => d.slice(0, 3))) : digits(two[0], two[1]);
        if (value !== undefined && count <= 2) fields.day = value;
        break;
      case 'h':
      case 'H':
        value = digits(two[0], two[1]);
        if (value !== undefined) fields.hour = value;
        twelveHour ||= char === 'h';
        break;
      case 'm':
        value = digits(two[0], two[1]);
        if (value !== undefined) fields.minute = value;
        break;
      case 's':
        value = digits(two[0], two[1]);
        if (value !== undefined) fields.second = value;
        break;
      case 'f':
      case 'F': {
        const match = new RegExp(`^\\d{${char === 'f' ? count : 0},${count}}`).exec(input.slice(at));
        if (!match) return undefined;
        at += match[0].length;
        fields.millisecond = fraction(match[0]);
        value = 0;
        break;
      }
      case 't': {
        const index = word(count === 1 ? ['A', 'P'] : ['AM', 'PM']);
        if (index !== undefined) meridiem = index === 0 ? 'AM' : 'PM';
        value = index;
        break;
      }
      case 'z':
      case 'K': {
        const pattern =
          char === 'K' ? /^(Z|[+-]\d{2}:\d{2})?/i : count === 1 ? /^[+-]\d{1,2}/ : count === 2 ? /^[+-]\d{2}/ : /^[+-]\d{2}:\d{2}/;
        const match = pattern.exec(input.slice(at));
        if (!match) return undefined;
        at += match[0].length;
        const offset = offsetMinutes(match[0]);
        if (offset !== undefined) fields.offset = offset;
        value = 0;
        break;
      }
      default:
        value = 0; // era
    }
    if (value === undefined) return undefined;
  }
  if (at !== input.length) return undefined;
  if (twelveHour) {
    if (fields.hour < 1 || fields.hour > 12) return undefined;
    fields.hour = (fields.hour % 12) + (meridiem === 'PM' ? 12 : 0);
  } else if (meridiem === 'PM' && fields.hour < 12) fields.hour += 12;
  return toInstant(fields);
}

// Arithmetic ------------------------------------------------------------------------------

function addMonths(instant: number, months: number): number {
  const date = new Date(instant);
  const total = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  return utc(year, month, day, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds());
}

/** DateAdd: whole intervals only (a fraction is cut off); months and years keep the day, or the month's last day. */
export function dateAdd(interval: string, amount: number, instant: number): number {
  const whole = Math.trunc(amount);
  switch (interval) {
    case 'yyyy':
      return addMonths(instant, whole * 12);
    case 'm':
      return addMonths(instant, whole);
    case 'ww':
      return instant + whole * 7 * DAY;
    case 'd':
      return instant + whole * DAY;
    case 'h':
      return instant + whole * HOUR;
    case 'n':
      return instant + whole * MINUTE;
    default:
      return instant + whole * 1000;
  }
}

const startOfDay = (instant: number) => Math.floor(instant / DAY) * DAY;

/**
 * DateDiff as VBA counts it: whole days, hours, minutes and seconds elapsed (toward zero);
 * weeks as Sundays crossed; months and years as calendar boundaries crossed.
 */
export function dateDiff(interval: string, from: number, to: number): number {
  const a = new Date(from);
  const b = new Date(to);
  const elapsed = to - from;
  const whole = (unit: number) => Math.trunc(elapsed / unit) + 0;
  switch (interval) {
    case 'yyyy':
      return b.getUTCFullYear() - a.getUTCFullYear();
    case 'm':
      return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
    case 'ww': {
      const sunday = (d: Date, instant: number) => startOfDay(instant) - d.getUTCDay() * DAY;
      return Math.round((sunday(b, to) - sunday(a, from)) / (7 * DAY)) + 0;
    }
    case 'd':
      return whole(DAY);
    case 'h':
      return whole(HOUR);
    case 'n':
      return whole(MINUTE);
    default:
      return whole(1000);
  }
}

/** DateFromNum: an Active Directory timestamp (100 ns intervals since 1601-01-01 UTC). */
export function fromFileTime(value: bigint): number {
  return Number(value / 10_000n - AD_EPOCH_OFFSET);
}

/** NumFromDate: the Active Directory timestamp of an instant, as a decimal string (it exceeds double precision). */
export function toFileTime(instant: number): string {
  return ((BigInt(Math.trunc(instant)) + AD_EPOCH_OFFSET) * 10_000n).toString();
}
