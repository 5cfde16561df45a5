import { RE2JS } from 're2js';

/**
 * Every pattern an admin writes (REGEX MATCH scoping filters, the expression function Replace)
 * is a .NET regular expression (Entra evaluates them with .NET's `Regex`), and every one is
 * run by RE2 (through `re2js`), whose matching takes time linear in the input: no pattern can
 * stall the service, as `(a+)+$` does in a backtracking engine. This module translates a .NET
 * pattern into an equivalent RE2 one, or says clearly which construct has no RE2 counterpart.
 *
 * Translated so that a pattern means what it means in .NET:
 * - inline options at the very start, `(?i)`, `(?m)`, `(?s)` and combinations such as `(?is)`
 *   or `(?i-s)`;
 * - named groups `(?'name'...)` (RE2 spells them `(?<name>...)`);
 * - anchors `\A`, `\z`, `\Z`, and `$` (which in .NET also matches before a final newline; here
 *   that newline is part of the match);
 * - `.` (any character but `\n` in .NET), `\d`, `\w`, `\s` (Unicode-aware in .NET; RE2's own are
 *   ASCII-only, so they are spelled out as Unicode classes);
 * - escapes `\e`, `\a`, `\cX`, `\uXXXX`, octal `\0nn`, and escaped punctuation such as `\@`;
 * - a `{` or `}` that is not part of a quantifier, and a `]` outside a class (literals in .NET).
 *
 * Lookbehind `(?<=...)`, `(?<!...)` is matched (without capturing groups inside it). `\b` and
 * `\B` are ASCII word boundaries, as RE2 has no other.
 *
 * Rejected with a message naming the construct: what no linear-time engine can match
 * (backreferences `\1`, `\k<name>`, lookahead `(?=...)`, `(?!...)`, atomic groups `(?>...)`,
 * conditionals `(?(...)...)`, balancing groups `(?<a-b>...)`), inline options anywhere but the
 * start or scoped to a group (`(?i:...)`), the `x` and `n` options, numbered group names,
 * `\G`, Unicode block names `\p{IsGreek}`, character class subtraction `[a-z-[aeiou]]` and `\W`
 * inside a character class. Anything else RE2 refuses is reported with its own message.
 *
 * A match is searched anywhere in the value, as .NET's `Regex.IsMatch` does: anchor with
 * `^...$` to match the whole value.
 */

export type CompiledRegex = { ok: true; regex: RE2JS } | { ok: false; problem: string };

/** .NET's `\w`: letters, non-spacing marks, decimal digits and connector punctuation. */
const WORD = String.raw`\p{L}\p{Mn}\p{Nd}\p{Pc}`;
/** .NET's `\s`: the ASCII white space, NEL and every Unicode separator. */
const SPACE = String.raw`\t\n\v\f\r\x{85}\p{Z}`;
/** Why a construct is refused although .NET has it. */
const LINEAR = 'patterns run on a linear-time engine (RE2), which cannot match it';
const END_OR_BEFORE_FINAL_NEWLINE = String.raw`(?:\n?\z)`;

/** Characters that must stay escaped in an RE2 pattern. */
const SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);

class Unsupported extends Error {}

interface Options {
  ignoreCase: boolean;
  multiline: boolean;
  singleline: boolean;
}

/**
 * The RE2 source and flags for a .NET pattern.
 *
 * @example translateDotNetRegex("(?i)^(?'user'[^@]+)\\@contoso\\.com$")
 * // { source: '^(?<user>[^@]+)@contoso\\.com(?:\\n?\\z)', flags: RE2JS.CASE_INSENSITIVE | RE2JS.LOOKBEHINDS }
 */
export function translateDotNetRegex(pattern: string): { source: string; flags: number } | { problem: string } {
  try {
    const { options, rest } = leadingOptions(pattern);
    return {
      source: translateBody(rest, options),
      flags: RE2JS.LOOKBEHINDS | (options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0),
    };
  } catch (error) {
    if (error instanceof Unsupported) return { problem: error.message };
    throw error;
  }
}

const cache = new Map<string, CompiledRegex>();
const CACHE_LIMIT = 500;

/**
 * Compiles a .NET pattern into an RE2 pattern (memoised), or explains why it cannot be.
 *
 * @example compileDotNetRegex('^Eng') // { ok: true, regex: RE2JS /^Eng/ }
 * @example compileDotNetRegex('(?>a+)b') // { ok: false, problem: 'atomic groups (?>...) are not supported: ...' }
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
    return { ok: true, regex: RE2JS.compile(translated.source, translated.flags) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // re2js writes "error parsing regexp: <reason>: `<fragment>`".
    return { ok: false, problem: message.replace(/^error parsing regexp: /, '') };
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
      out += options.multiline ? '(?m:^)' : '^';
      i += 1;
    } else if (char === '$') {
      out += options.multiline ? '(?m:$)' : END_OR_BEFORE_FINAL_NEWLINE;
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
      return ['\\A', 2];
    case 'z':
      return ['\\z', 2];
    case 'Z':
      return [END_OR_BEFORE_FINAL_NEWLINE, 2];
    case 'G':
      throw new Unsupported('\\G (contiguous match) is not supported');
    case 'w':
      return [`[${WORD}]`, 2];
    case 'W':
      return [`[^${WORD}]`, 2];
    case 'b':
    case 'B':
      return [`\\${next}`, 2];
    case 's':
      return [`[${SPACE}]`, 2];
    case 'S':
      return [`[^${SPACE}]`, 2];
    case 'k':
      throw new Unsupported(`backreferences such as \\k<name> are not supported: ${LINEAR}`);
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
        throw new Unsupported(`Unicode block names such as ${property[0]} are not supported: use a script, such as \\p{Greek}`);
      }
      return [property[0], property[0].length];
    }
    case '0': {
      const octal = /^\\0[0-7]{0,2}/.exec(pattern.slice(at))![0];
      const code = parseInt(octal.slice(1), 8);
      return [`\\x${code.toString(16).padStart(2, '0')}`, octal.length];
    }
    case 'u': {
      const hex = /^\\u([0-9a-fA-F]{4})/.exec(pattern.slice(at));
      if (hex === null) throw new Unsupported('\\u must be followed by four hexadecimal digits, such as \\u00e9');
      return [`\\x{${hex[1]}}`, hex[0].length];
    }
    case 'c': {
      const letter = /^\\c([a-zA-Z])/.exec(pattern.slice(at));
      if (letter === null) throw new Unsupported('\\c must be followed by a letter, such as \\cM');
      return [`\\x{${(letter[1]!.toUpperCase().charCodeAt(0) - 64).toString(16)}}`, 3];
    }
    case 's':
    case 'S':
    case 't':
    case 'n':
    case 'r':
    case 'f':
    case 'v':
    case 'x':
      return [`\\${next}`, 2];
    default:
      break;
  }
  if (/[1-9]/.test(next)) {
    if (inClass) throw new Unsupported(`\\${next} inside a character class is not supported: use \\x or \\u escapes`);
    throw new Unsupported(`backreferences such as \\${next} are not supported: ${LINEAR}`);
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
      if (next === 'w' || next === 's') {
        out += next === 'w' ? WORD : SPACE;
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
  for (const plain of ['(?:', '(?<=', '(?<!']) {
    if (rest.startsWith(plain)) return [plain, plain.length];
  }
  if (rest.startsWith('(?=') || rest.startsWith('(?!'))
    throw new Unsupported(`lookahead such as ${rest.slice(0, 3)}...) is not supported: ${LINEAR}`);
  if (rest.startsWith('(?>')) throw new Unsupported(`atomic groups (?>...) are not supported: ${LINEAR}`);
  if (rest.startsWith('(?(')) throw new Unsupported(`conditional groups (?(...)yes|no) are not supported: ${LINEAR}`);
  const named = /^\(\?(?:<([^>]*)>|'([^']*)')/.exec(rest);
  if (named !== null) {
    const name = named[1] ?? named[2] ?? '';
    if (name.includes('-')) throw new Unsupported(`balancing groups such as ${named[0]}...) are not supported: ${LINEAR}`);
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
