/**
 * REGEX MATCH patterns are .NET regular expressions (Entra evaluates them with .NET's `Regex`).
 * This module translates a .NET pattern into an equivalent JavaScript one, or says clearly
 * which .NET construct has no JavaScript counterpart.
 *
 * Translated so that a pattern means what it means in .NET:
 * - inline options at the very start, `(?i)`, `(?m)`, `(?s)` and combinations such as `(?is)`
 *   or `(?i-s)`;
 * - named groups `(?'name'...)` and back references `\k'name'` (JavaScript spells them `<name>`);
 * - anchors `\A`, `\z`, `\Z`, and `$` (which in .NET also matches before a final newline);
 * - `.` (any character but `\n` in .NET; JavaScript also excludes `\r`, U+2028 and U+2029);
 * - `\d`, `\w`, `\b`, `\B` (Unicode-aware in .NET, ASCII-only in JavaScript);
 * - escapes `\e`, `\a`, octal `\0nn`, and escaped punctuation such as `\@` or `\#`;
 * - a `{` or `}` that is not part of a quantifier, and a `]` outside a class (literals in .NET).
 *
 * Rejected with a message naming the construct: inline options anywhere but the start or
 * scoped to a group (`(?i:...)`), the `x` and `n` options, atomic groups `(?>...)`,
 * conditionals `(?(...)...)`, balancing groups `(?<a-b>...)`, numbered group names, `\G`,
 * Unicode block names `\p{IsGreek}`, character class subtraction `[a-z-[aeiou]]` and `\W`
 * inside a character class. Anything else the JavaScript engine refuses is reported with the
 * engine's own message.
 *
 * A match is searched anywhere in the value, as .NET's `Regex.IsMatch` does: anchor with
 * `^...$` to match the whole value.
 */

export type CompiledRegex = { ok: true; regex: RegExp } | { ok: false; problem: string };

/** .NET's `\w`: letters, non-spacing marks, decimal digits and connector punctuation. */
const WORD = String.raw`\p{L}\p{Mn}\p{Nd}\p{Pc}`;
const WORD_BOUNDARY = String.raw`(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
const NOT_WORD_BOUNDARY = String.raw`(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}]))`;
const START = String.raw`(?<![\s\S])`;
const END = String.raw`(?![\s\S])`;
const END_OR_BEFORE_FINAL_NEWLINE = String.raw`(?=\n?(?![\s\S]))`;

/** Characters that must stay escaped in a JavaScript `u`-mode pattern. */
const SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);

class Unsupported extends Error {}

interface Options {
  ignoreCase: boolean;
  multiline: boolean;
  singleline: boolean;
}

/**
 * The JavaScript `RegExp` source and flags for a .NET pattern.
 *
 * @example translateDotNetRegex("(?i)^(?'user'[^@]+)\\@contoso\\.com$")
 * // { source: '^(?<user>[^@]+)@contoso\\.com(?=\\n?(?![\\s\\S]))', flags: 'iu' }
 */
export function translateDotNetRegex(pattern: string): { source: string; flags: string } | { problem: string } {
  try {
    const { options, rest } = leadingOptions(pattern);
    return { source: translateBody(rest, options), flags: options.ignoreCase ? 'iu' : 'u' };
  } catch (error) {
    if (error instanceof Unsupported) return { problem: error.message };
    throw error;
  }
}

const cache = new Map<string, CompiledRegex>();
const CACHE_LIMIT = 500;

/**
 * Compiles a .NET pattern into a JavaScript `RegExp` (memoised), or explains why it cannot be.
 *
 * @example compileDotNetRegex('^Eng') // { ok: true, regex: /^Eng/u }
 * @example compileDotNetRegex('(?>a+)b') // { ok: false, problem: 'atomic groups (?>...) are not supported' }
 */
export function compileDotNetRegex(pattern: string): CompiledRegex {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  const compiled = compile(pattern);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

function compile(pattern: string): CompiledRegex {
  const translated = translateDotNetRegex(pattern);
  if ('problem' in translated) return { ok: false, problem: translated.problem };
  try {
    return { ok: true, regex: new RegExp(translated.source, translated.flags) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 writes "Invalid regular expression: /<translated source>/<flags>: <reason>"; the
    // translated source would only confuse whoever wrote the .NET pattern.
    const reason = /: ([^:]+)$/.exec(message)?.[1] ?? message;
    return { ok: false, problem: reason };
  }
}

/** Inline options at the very start: `(?i)`, `(?ms)`, `(?i-s)`, possibly several in a row. */
function leadingOptions(pattern: string): { options: Options; rest: string } {
  const options: Options = { ignoreCase: false, multiline: false, singleline: false };
  let rest = pattern;
  for (let match = /^\(\?([a-zA-Z]*(?:-[a-zA-Z]*)?)\)/.exec(rest); match !== null; match = /^\(\?([a-zA-Z]*(?:-[a-zA-Z]*)?)\)/.exec(rest)) {
    const [on = '', off = ''] = (match[1] ?? '').split('-');
    for (const [letters, value] of [
      [on, true],
      [off, false],
    ] as const) {
      for (const letter of letters) {
        if (letter === 'i') options.ignoreCase = value;
        else if (letter === 'm') options.multiline = value;
        else if (letter === 's') options.singleline = value;
        else if (letter === 'x') throw new Unsupported('the x option (ignore pattern whitespace) is not supported');
        else if (letter === 'n') throw new Unsupported('the n option (explicit capture) is not supported');
        else throw new Unsupported(`unknown inline option "${letter}" in "${match[0]}"`);
      }
    }
    rest = rest.slice(match[0].length);
  }
  return { options, rest };
}

function translateBody(pattern: string, options: Options): string {
  let out = '';
  let i = 0;

  while (i < pattern.length) {
    const char = pattern[i]!;
    if (char === '\\') {
      const [text, length] = escapeOutsideClass(pattern, i);
      out += text;
      i += length;
    } else if (char === '[') {
      const [text, length] = characterClass(pattern, i);
      out += text;
      i += length;
    } else if (char === '(') {
      const [text, length] = groupOpening(pattern, i);
      out += text;
      i += length;
    } else if (char === '.') {
      out += options.singleline ? String.raw`[\s\S]` : String.raw`[^\n]`;
      i += 1;
    } else if (char === '^') {
      out += options.multiline ? String.raw`(?<![^\n])` : '^';
      i += 1;
    } else if (char === '$') {
      out += options.multiline ? String.raw`(?=\n|(?![\s\S]))` : END_OR_BEFORE_FINAL_NEWLINE;
      i += 1;
    } else if (char === '{') {
      const quantifier = /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i));
      if (quantifier !== null) {
        out += quantifier[0];
        i += quantifier[0].length;
      } else {
        out += '\\{';
        i += 1;
      }
    } else if (char === '}' || char === ']') {
      out += `\\${char}`;
      i += 1;
    } else {
      out += char;
      i += 1;
    }
  }
  return out;
}

/** An escape outside a character class: its translation and how many characters it spans. */
function escapeOutsideClass(pattern: string, at: number): [string, number] {
  const next = pattern[at + 1];
  if (next === undefined) throw new Unsupported('the pattern ends with a lone backslash');
  switch (next) {
    case 'A':
      return [START, 2];
    case 'z':
      return [END, 2];
    case 'Z':
      return [END_OR_BEFORE_FINAL_NEWLINE, 2];
    case 'G':
      throw new Unsupported('\\G (contiguous match) is not supported');
    case 'w':
      return [`[${WORD}]`, 2];
    case 'W':
      return [`[^${WORD}]`, 2];
    case 'b':
      return [WORD_BOUNDARY, 2];
    case 'B':
      return [NOT_WORD_BOUNDARY, 2];
    case 'k': {
      const name = /^\\k(?:<([^>]*)>|'([^']*)')/.exec(pattern.slice(at));
      if (name === null) throw new Unsupported("\\k must be followed by a group name: \\k<name> or \\k'name'");
      return [`\\k<${name[1] ?? name[2]}>`, name[0].length];
    }
    default:
      return commonEscape(pattern, at, false);
  }
}

/** Escapes that mean the same inside and outside a character class. */
function commonEscape(pattern: string, at: number, inClass: boolean): [string, number] {
  const next = pattern[at + 1]!;
  switch (next) {
    case 'd':
      return [String.raw`\p{Nd}`, 2];
    case 'D':
      return [String.raw`\P{Nd}`, 2];
    case 'e':
      return ['\\x1B', 2];
    case 'a':
      return ['\\x07', 2];
    case 'p':
    case 'P': {
      const property = /^\\[pP]\{([^}]*)\}/.exec(pattern.slice(at));
      if (property === null) throw new Unsupported(`\\${next} must be followed by a category in braces, such as \\${next}{Lu}`);
      if (property[1]!.startsWith('Is')) {
        throw new Unsupported(`Unicode block names such as ${property[0]} are not supported: use a script, such as \\p{Script=Greek}`);
      }
      return [property[0], property[0].length];
    }
    case '0': {
      const octal = /^\\0[0-7]{0,2}/.exec(pattern.slice(at))![0];
      const code = parseInt(octal.slice(1), 8);
      return [`\\x${code.toString(16).padStart(2, '0')}`, octal.length];
    }
    case 's':
    case 'S':
    case 't':
    case 'n':
    case 'r':
    case 'f':
    case 'v':
    case 'x':
    case 'u':
    case 'c':
      return [`\\${next}`, 2];
    default:
      break;
  }
  if (/[1-9]/.test(next)) {
    if (inClass) throw new Unsupported(`\\${next} inside a character class is not supported: use \\x or \\u escapes`);
    const digits = /^\\\d+/.exec(pattern.slice(at))![0];
    return [digits, digits.length];
  }
  if (/[a-zA-Z]/.test(next)) throw new Unsupported(`unrecognised escape \\${next}`);
  const codePoint = String.fromCodePoint(pattern.codePointAt(at + 1)!);
  if (SYNTAX.has(codePoint) || (inClass && codePoint === '-')) return [`\\${codePoint}`, 2];
  return [codePoint, 1 + codePoint.length];
}

/** A character class `[...]` from its opening bracket: its translation and length. */
function characterClass(pattern: string, at: number): [string, number] {
  let i = at + 1;
  let out = '[';
  if (pattern[i] === '^') {
    out += '^';
    i += 1;
  }
  // A `]` first in a .NET class is a literal.
  if (pattern[i] === ']') {
    out += '\\]';
    i += 1;
  }
  while (i < pattern.length) {
    const char = pattern[i]!;
    if (char === ']') return [`${out}]`, i + 1 - at];
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new Unsupported('the pattern ends with a lone backslash');
      if (next === 'w') {
        out += WORD;
        i += 2;
      } else if (next === 'W') {
        throw new Unsupported('\\W inside a character class is not supported: write the class without it, or use [^\\w...]');
      } else if (next === 'b') {
        out += '\\x08';
        i += 2;
      } else {
        const [text, length] = commonEscape(pattern, i, true);
        out += text;
        i += length;
      }
    } else if (char === '-' && pattern[i + 1] === '[') {
      throw new Unsupported('character class subtraction such as [a-z-[aeiou]] is not supported');
    } else if (char === '[') {
      out += '\\[';
      i += 1;
    } else {
      out += char;
      i += 1;
    }
  }
  throw new Unsupported('a character class [ is not closed with ]');
}

/** A `(` and what follows it when it opens a special group: translation and length consumed. */
function groupOpening(pattern: string, at: number): [string, number] {
  if (pattern[at + 1] !== '?') return ['(', 1];
  const rest = pattern.slice(at);
  if (rest.startsWith('(?#')) {
    const end = pattern.indexOf(')', at);
    if (end < 0) throw new Unsupported('a (?#...) comment is not closed with )');
    return ['', end + 1 - at];
  }
  for (const plain of ['(?:', '(?=', '(?!', '(?<=', '(?<!']) {
    if (rest.startsWith(plain)) return [plain, plain.length];
  }
  if (rest.startsWith('(?>')) throw new Unsupported('atomic groups (?>...) are not supported');
  if (rest.startsWith('(?(')) throw new Unsupported('conditional groups (?(...)yes|no) are not supported');
  const named = /^\(\?(?:<([^>]*)>|'([^']*)')/.exec(rest);
  if (named !== null) {
    const name = named[1] ?? named[2] ?? '';
    if (name.includes('-')) throw new Unsupported(`balancing groups such as ${named[0]}...) are not supported`);
    if (/^\d+$/.test(name))
      throw new Unsupported(`numbered group names such as ${named[0]}...) are not supported: use a name that starts with a letter`);
    return [`(?<${name}>`, named[0].length];
  }
  if (/^\(\?[a-zA-Z-]+[:)]/.test(rest)) {
    throw new Unsupported(
      'inline options such as (?i) are supported only at the very start of the pattern, not inside it or scoped to a group',
    );
  }
  throw new Unsupported(`unsupported group construct "${rest.slice(0, 4)}"`);
}
