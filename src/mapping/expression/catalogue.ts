/**
 * The functions of Entra's attribute-mapping expression language: names (case-sensitive, as in
 * Entra), signatures, argument counts and which arguments may be left out. The parser validates
 * calls against it; the API lists it (`GET /api/v1/expressions/functions`).
 */

export interface ExpressionFunction {
  name: string;
  /** How the call is written, e.g. `Join(separator, source1, source2, …)`. */
  signature: string;
  /** One line: what the function gives. */
  description: string;
  minArgs: number;
  /** null for functions taking any number of arguments. */
  maxArgs: number | null;
  /** 0-based indexes of arguments that may be left out (`Replace([x], , "a", , "b", , )`). */
  optionalArgs: readonly number[];
}

type Entry = Omit<ExpressionFunction, 'name' | 'optionalArgs'> & { optionalArgs?: readonly number[] };

const ENTRIES: Record<string, Entry> = {
  Append: {
    signature: 'Append(source, suffix)',
    description: 'The source string with the suffix added to its end.',
    minArgs: 2,
    maxArgs: 2,
  },
  AppRoleAssignmentsComplex: {
    signature: 'AppRoleAssignmentsComplex([appRoleAssignments])',
    description: 'All app role assignments as SCIM roles ({ primary: false, type, display, value }).',
    minArgs: 1,
    maxArgs: 1,
  },
  BitAnd: { signature: 'BitAnd(value1, value2)', description: 'The bitwise AND of two integers.', minArgs: 2, maxArgs: 2 },
  CBool: {
    signature: 'CBool(expression)',
    description: 'True when the expression is true or a non-zero number, otherwise False.',
    minArgs: 1,
    maxArgs: 1,
  },
  CDate: { signature: 'CDate(expression)', description: 'The date and time a string represents, in UTC.', minArgs: 1, maxArgs: 1 },
  Coalesce: {
    signature: 'Coalesce(source1, source2, …, defaultValue)',
    description: 'The first argument that is not null (absent); "" and empty lists count as values.',
    minArgs: 1,
    maxArgs: null,
  },
  ConvertToBase64: {
    signature: 'ConvertToBase64(source)',
    description: 'Base64 of the string encoded as UTF-16LE ("Unicode").',
    minArgs: 1,
    maxArgs: 1,
  },
  ConvertToUTF8Hex: {
    signature: 'ConvertToUTF8Hex(source)',
    description: 'Upper-case hexadecimal of the string encoded as UTF-8.',
    minArgs: 1,
    maxArgs: 1,
  },
  Count: { signature: 'Count(attribute)', description: 'The number of values of a multi-valued attribute.', minArgs: 1, maxArgs: 1 },
  CStr: { signature: 'CStr(value)', description: 'The value as a string (booleans as "True"/"False").', minArgs: 1, maxArgs: 1 },
  DateAdd: {
    signature: 'DateAdd(interval, value, dateTime)',
    description: 'The date plus value intervals (yyyy, m, d, ww, h, n, s), as M/d/yyyy h:mm:ss tt.',
    minArgs: 3,
    maxArgs: 3,
  },
  DateDiff: {
    signature: 'DateDiff(interval, date1, date2)',
    description: 'How many intervals (yyyy, m, d, ww, h, n, s) lie from date1 to date2; negative when date2 is earlier.',
    minArgs: 3,
    maxArgs: 3,
  },
  DateFromNum: {
    signature: 'DateFromNum(value)',
    description: 'The date an Active Directory timestamp (100 ns since 1601-01-01 UTC) stands for.',
    minArgs: 1,
    maxArgs: 1,
  },
  FormatDateTime: {
    signature: 'FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)',
    description: 'The date read with one .NET format string and written with another.',
    minArgs: 4,
    maxArgs: 4,
    optionalArgs: [1],
  },
  Guid: { signature: 'Guid()', description: 'A new random GUID.', minArgs: 0, maxArgs: 0 },
  IgnoreFlowIfNullOrEmpty: {
    signature: 'IgnoreFlowIfNullOrEmpty(expression)',
    description: 'The expression, or no flow at all for the target attribute when it is null or empty.',
    minArgs: 1,
    maxArgs: 1,
  },
  IIF: {
    signature: 'IIF(condition, valueIfTrue, valueIfFalse)',
    description: 'valueIfTrue when the condition holds, otherwise valueIfFalse.',
    minArgs: 3,
    maxArgs: 3,
  },
  InStr: {
    signature: 'InStr(value1, value2, start, compareType)',
    description: 'The 1-based position of value2 in value1 from start (vbBinaryCompare or vbTextCompare), 0 when absent.',
    minArgs: 2,
    maxArgs: 4,
    optionalArgs: [2, 3],
  },
  IsNull: {
    signature: 'IsNull(expression)',
    description: 'True when the expression is null or the attribute is absent.',
    minArgs: 1,
    maxArgs: 1,
  },
  IsNullOrEmpty: {
    signature: 'IsNullOrEmpty(expression)',
    description: 'True when the expression is null, absent, "" or an empty list.',
    minArgs: 1,
    maxArgs: 1,
  },
  IsPresent: {
    signature: 'IsPresent(expression)',
    description: 'True when the expression is neither null, absent, "" nor an empty list.',
    minArgs: 1,
    maxArgs: 1,
  },
  IsString: { signature: 'IsString(expression)', description: 'True when the expression is a string.', minArgs: 1, maxArgs: 1 },
  Item: {
    signature: 'Item(attribute, index)',
    description: 'The value at a 1-based index of a multi-valued attribute.',
    minArgs: 2,
    maxArgs: 2,
  },
  Join: {
    signature: 'Join(separator, source1, source2, …)',
    description: 'The non-empty values, multi-valued ones flattened, joined with the separator.',
    minArgs: 2,
    maxArgs: null,
  },
  Left: {
    signature: 'Left(string, numChars)',
    description: 'The first numChars characters (all of them when numChars is negative).',
    minArgs: 2,
    maxArgs: 2,
  },
  Mid: {
    signature: 'Mid(source, start, length)',
    description: 'length characters from the 1-based position start.',
    minArgs: 3,
    maxArgs: 3,
  },
  NormalizeDiacritics: {
    signature: 'NormalizeDiacritics(source)',
    description: "The string with accented characters replaced by Microsoft's table (ë → e, ø → oe, ß → ss).",
    minArgs: 1,
    maxArgs: 1,
  },
  Not: { signature: 'Not(source)', description: 'False for a true source, True for a false, null or absent one.', minArgs: 1, maxArgs: 1 },
  Now: { signature: 'Now()', description: 'The current UTC date and time, as M/d/yyyy h:mm:ss tt.', minArgs: 0, maxArgs: 0 },
  NumFromDate: {
    signature: 'NumFromDate(value)',
    description: 'The Active Directory timestamp (100 ns since 1601-01-01 UTC) of a date, as a string of digits.',
    minArgs: 1,
    maxArgs: 1,
  },
  PCase: {
    signature: 'PCase(source, wordSeparators)',
    description: 'Each word with its first letter in upper case and the rest in lower case.',
    minArgs: 1,
    maxArgs: 2,
    optionalArgs: [1],
  },
  RandomString: {
    signature: 'RandomString(length, minimumNumbers, minimumSpecialCharacters, minimumCapital, minimumLowerCase, charactersToAvoid)',
    description: 'A random string of the given length (at most 256) with at least the given counts of each kind of character.',
    minArgs: 5,
    maxArgs: 6,
    optionalArgs: [5],
  },
  Redact: { signature: 'Redact(value)', description: 'The value, shown as "[Redact]" in provisioning logs.', minArgs: 1, maxArgs: 1 },
  RemoveDuplicates: {
    signature: 'RemoveDuplicates(attribute)',
    description: 'The values of a multi-valued attribute, each once, in order.',
    minArgs: 1,
    maxArgs: 1,
  },
  Replace: {
    signature: 'Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)',
    description: 'Text or regular-expression replacement; which arguments are given selects one of five modes.',
    minArgs: 7,
    maxArgs: 7,
    optionalArgs: [1, 2, 3, 4, 5, 6],
  },
  SelectUniqueValue: {
    signature: 'SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, …)',
    description: 'The first candidate value not yet held in the target (checked on create; top level only).',
    minArgs: 2,
    maxArgs: null,
  },
  SingleAppRoleAssignment: {
    signature: 'SingleAppRoleAssignment([appRoleAssignments])',
    description: "The value of the user's only app role.",
    minArgs: 1,
    maxArgs: 1,
  },
  Split: {
    signature: 'Split(source, delimiter)',
    description: 'The string cut at each delimiter into a multi-valued value.',
    minArgs: 2,
    maxArgs: 2,
  },
  StripSpaces: { signature: 'StripSpaces(source)', description: 'The string without space (" ") characters.', minArgs: 1, maxArgs: 1 },
  Switch: {
    signature: 'Switch(source, defaultValue, key1, value1, key2, value2, …)',
    description: 'The value paired with the first key equal to the source (case-sensitive), otherwise defaultValue.',
    minArgs: 4,
    maxArgs: null,
    optionalArgs: [1],
  },
  ToLower: {
    signature: 'ToLower(source, culture)',
    description: 'The string in lower case, by the culture (invariant by default).',
    minArgs: 1,
    maxArgs: 2,
    optionalArgs: [1],
  },
  ToUpper: {
    signature: 'ToUpper(source, culture)',
    description: 'The string in upper case, by the culture (invariant by default).',
    minArgs: 1,
    maxArgs: 2,
    optionalArgs: [1],
  },
  Word: {
    signature: 'Word(string, wordNumber, delimiters)',
    description: 'The wordNumber-th word (1-based) of the string, words being separated by any of the delimiter characters.',
    minArgs: 3,
    maxArgs: 3,
  },
};

/** Every function, in alphabetical order as Microsoft lists them. */
export const EXPRESSION_FUNCTIONS: readonly ExpressionFunction[] = Object.freeze(
  Object.entries(ENTRIES).map(([name, entry]) => Object.freeze({ name, optionalArgs: [], ...entry })),
);

const BY_NAME = new Map(EXPRESSION_FUNCTIONS.map((fn) => [fn.name, fn]));

/** The function of that exact (case-sensitive) name. */
export function expressionFunction(name: string): ExpressionFunction | undefined {
  return BY_NAME.get(name);
}

/** A function whose name differs only in case, for "did you mean" hints. */
export function similarFunction(name: string): ExpressionFunction | undefined {
  const lower = name.toLowerCase();
  return EXPRESSION_FUNCTIONS.find((fn) => fn.name.toLowerCase() === lower);
}
