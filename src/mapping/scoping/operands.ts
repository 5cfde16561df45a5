/**
 * How scoping clauses read values: integers (exact, any size), ISO-8601 dates, the text form
 * of a scalar, and what counts as empty.
 */
import type { SourceValue } from '../../source/index';
import { isEmptyValue } from '../values';

/** Absent, null, `""`, `[]`, or a list holding only such values. */
export function isEmptyOperand(value: SourceValue | undefined): boolean {
  if (Array.isArray(value)) return value.every((item) => isEmptyValue(item));
  return isEmptyValue(value);
}

const INTEGER = /^[+-]?\d+$/;

/** A whole number written in decimal digits (an optional sign, no spaces), or a JSON integer; exact at any size. */
export function toInteger(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && INTEGER.test(value)) return BigInt(value);
  return undefined;
}

/** Whether a text looks like it means a date (`YYYY-MM-DD...`), valid or not. */
export function looksLikeDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}/.test(text);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * An ISO-8601 calendar date or date-time as an instant in 100-nanosecond ticks since the Unix
 * epoch (the precision of .NET and of Graph's DateTimeOffset values), or a reason why not.
 * A date alone means midnight UTC; a date-time without an offset is read as UTC (no local
 * time zone is ever assumed, so results never depend on where the code runs).
 *
 * @example parseIsoDate('2024-03-01') // { ticks: 17092512000000000n }
 * @example parseIsoDate('2024-02-30') // { problem: 'February 2024 has no day 30' }
 */
export function parseIsoDate(text: string): { ticks: bigint } | { problem: string } {
  const match = ISO_DATE.exec(text);
  if (match === null) {
    return { problem: 'expected YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fffffff]][Z|±hh:mm]' };
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) return { problem: `month ${mo} is not between 01 and 12` };
  const daysInMonth = month === 2 ? (isLeapYear(year) ? 29 : 28) : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > daysInMonth) return { problem: `${MONTHS[month - 1]} ${y} has no day ${d}` };
  if (hour > 23) return { problem: `hour ${h} is not between 00 and 23` };
  if (minute > 59) return { problem: `minute ${mi} is not between 00 and 59` };
  if (second > 59) return { problem: `second ${s} is not between 00 and 59` };
  let offsetMinutes = 0;
  if (offset !== 'Z') {
    const offsetHours = Number(offset.slice(1, 3));
    const offsetMins = Number(offset.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return { problem: `offset ${offset} is out of range` };
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const ms = date.getTime() - offsetMinutes * 60_000;
  return { ticks: BigInt(ms) * 10_000n + BigInt(fraction.padEnd(7, '0')) };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * The text a string clause (REGEX MATCH, Includes, ENDS_WITH) tests: strings as they are,
 * numbers in decimal, booleans as .NET writes them (`True`, `False`); undefined for lists,
 * objects and null.
 */
export function toText(value: SourceValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return undefined;
}

/** A value as it appears in summaries: JSON, cut to about `max` characters (a string keeps its quotes); `absent` when there is none. */
export function describeValue(value: SourceValue | undefined, max = 60): string {
  if (value === undefined) return 'absent';
  if (typeof value === 'string' && value.length > max - 2) return JSON.stringify(`${value.slice(0, max - 3)}…`);
  const json = JSON.stringify(value);
  return json.length <= max ? json : `${json.slice(0, max - 1)}…`;
}
