/**
 * Entra's Replace: five modes chosen by which arguments are given, with .NET regular
 * expressions (named groups `(?<name>…)`, `${name}` in replacement values).
 */

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

/** A .NET pattern as a JavaScript RegExp; named groups, classes and quantifiers read the same. */
export function toRegExp(pattern: string, flags = ''): RegExp {
  return new RegExp(pattern, `g${flags}`);
}

/** Expands a .NET replacement string: `$$`, `$0`, `$n`, `${name}` and `${n}`. Unknown groups stay as written. */
function substitute(replacement: string, match: RegExpExecArray): string {
  return replacement.replace(
    /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*|\d+)\}|(\d+))/g,
    (whole, token: string, braced?: string, numbered?: string) => {
      if (token === '$') return '$';
      const key = braced ?? numbered!;
      if (/^\d+$/.test(key)) {
        const index = Number(key);
        return index < match.length ? (match[index] ?? '') : whole;
      }
      const groups = match.groups ?? {};
      return key in groups ? (groups[key] ?? '') : whole;
    },
  );
}

function replaceMatches(source: string, regex: RegExp, each: (match: RegExpExecArray) => string): string {
  let result = '';
  let last = 0;
  regex.lastIndex = 0;
  for (let match = regex.exec(source); match !== null; match = regex.exec(source)) {
    result += source.slice(last, match.index) + each(match);
    last = match.index + match[0].length;
    if (match[0].length === 0) regex.lastIndex++;
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
        : replaceMatches(args.source, toRegExp(args.pattern), (match) => substitute(args.replacement, match));
    case 'regexGroup':
      if (args.source === null) return null;
      return replaceMatches(args.source, toRegExp(args.pattern, 'd'), (match) => {
        const span = match.indices?.groups?.[args.group];
        if (span === undefined) return match[0];
        const [start, end] = [span[0] - match.index, span[1] - match.index];
        return match[0].slice(0, start) + substitute(args.replacement, match) + match[0].slice(end);
      });
    case 'regexAttribute': {
      if (args.source !== null && args.source !== '') return args.source;
      if (args.attribute === null) return null;
      const match = toRegExp(args.pattern).exec(args.attribute);
      return match?.groups?.[args.group] ?? null;
    }
  }
}
