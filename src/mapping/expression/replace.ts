/**
 * Entra's Replace: five modes chosen by which arguments are given, with .NET regular
 * expressions (named groups `(?<name>…)`, `${name}` in replacement values) matched by RE2.
 */
import type { Matcher, RE2JS } from 're2js';
import { compileDotNetRegex } from '../regex';

export type ReplaceMode =
  /** oldValue + replacementValue: every occurrence of oldValue in source becomes replacementValue. */
  | 'text'
  /** oldValue + template: every occurrence of oldValue in template becomes the source. */
  | 'template'
  /** regexPattern + replacementValue: every match becomes replacementValue, with `${group}` substitutions. */
  | 'regex'
  /** regexPattern + regexGroupName + replacementValue: within every match, the named group becomes replacementValue. */
  | 'regexGroup'
  /** regexPattern + regexGroupName + replacementAttributeName: the source if it has a value, else the named group of the pattern's match in the replacement attribute. */
  | 'regexAttribute';

/**
 * The mode the given arguments select (by presence, in Replace's argument order), or a problem
 * prefixed with "!" when they select none or more than one.
 */
export function replaceMode(present: readonly boolean[]): ReplaceMode | `!${string}` {
  const [, oldValue, pattern, group, replacement, attribute, template] = present;
  if (oldValue && pattern) return '!give oldValue or regexPattern, not both';
  if (oldValue) {
    if (replacement && template) return '!with oldValue, give replacementValue or template, not both';
    if (replacement) return 'text';
    if (template) return 'template';
    return '!oldValue needs a replacementValue or a template';
  }
  if (pattern) {
    if (group) {
      if (replacement && attribute) return '!with regexGroupName, give replacementValue or replacementAttributeName, not both';
      if (replacement) return 'regexGroup';
      if (attribute) return 'regexAttribute';
      return '!regexGroupName needs a replacementValue or a replacementAttributeName';
    }
    if (replacement) return 'regex';
    return '!regexPattern needs a replacementValue';
  }
  return '!give oldValue (with replacementValue or template) or regexPattern (with replacementValue, or regexGroupName and replacementValue or replacementAttributeName)';
}

/** A regexPattern that does not compile; `message` says why. */
export class InvalidPattern extends Error {}

/**
 * A .NET pattern compiled for RE2 (linear-time matching, see `../regex`).
 *
 * @throws InvalidPattern when the pattern does not compile or uses what RE2 cannot match.
 */
export function compilePattern(pattern: string): RE2JS {
  const compiled = compileDotNetRegex(pattern);
  if (!compiled.ok) throw new InvalidPattern(compiled.problem);
  return compiled.regex;
}

/** Expands a .NET replacement string: `$$`, `$0`, `$n`, `${name}` and `${n}`. Unknown groups stay as written. */
function substitute(replacement: string, match: Matcher): string {
  return replacement.replace(
    /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*|\d+)\}|(\d+))/g,
    (whole, token: string, braced?: string, numbered?: string) => {
      if (token === '$') return '$';
      const key = braced ?? numbered!;
      if (/^\d+$/.test(key)) {
        const index = Number(key);
        return index <= match.groupCount() ? (match.group(index) ?? '') : whole;
      }
      return key in match.pattern().namedGroups() ? (match.group(key) ?? '') : whole;
    },
  );
}

function replaceMatches(source: string, regex: RE2JS, each: (match: Matcher) => string): string {
  let result = '';
  let last = 0;
  const matcher = regex.matcher(source);
  while (matcher.find()) {
    result += source.slice(last, matcher.start()) + each(matcher);
    last = matcher.end();
  }
  return result + source.slice(last);
}

export interface ReplaceArgs {
  source: string | null;
  oldValue: string;
  pattern: string;
  group: string;
  replacement: string;
  /** The replacement attribute's value, for `regexAttribute`. */
  attribute: string | null;
  template: string;
}

/** Applies one Replace mode; null when there is nothing to give (no source, no match in the replacement attribute). */
export function applyReplace(mode: ReplaceMode, args: ReplaceArgs): string | null {
  switch (mode) {
    case 'text':
      if (args.source === null || args.oldValue === '') return args.source;
      return args.source.split(args.oldValue).join(args.replacement);
    case 'template':
      if (args.source === null) return null;
      return args.oldValue === '' ? args.template : args.template.split(args.oldValue).join(args.source);
    case 'regex':
      return args.source === null
        ? null
        : replaceMatches(args.source, compilePattern(args.pattern), (match) => substitute(args.replacement, match));
    case 'regexGroup':
      if (args.source === null) return null;
      return replaceMatches(args.source, compilePattern(args.pattern), (match) => {
        if (!(args.group in match.pattern().namedGroups()) || match.start(args.group) < 0) return match.group()!;
        const [start, end] = [match.start(args.group) - match.start(), match.end(args.group) - match.start()];
        const whole = match.group()!;
        return whole.slice(0, start) + substitute(args.replacement, match) + whole.slice(end);
      });
    case 'regexAttribute': {
      if (args.source !== null && args.source !== '') return args.source;
      if (args.attribute === null) return null;
      const regex = compilePattern(args.pattern);
      if (!(args.group in regex.namedGroups())) return null;
      const match = regex.matcher(args.attribute);
      return match.find() ? match.group(args.group) : null;
    }
  }
}
