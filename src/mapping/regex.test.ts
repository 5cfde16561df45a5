import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { compileDotNetRegex, translateDotNetRegex } from './regex';

const LINEAR = 'patterns run on a linear-time engine (RE2), which cannot match it';

function test(pattern: string, input: string): boolean {
  const compiled = compileDotNetRegex(pattern);
  if (!compiled.ok) throw new Error(compiled.problem);
  return compiled.regex.test(input);
}

describe('.NET patterns matched as .NET matches them', () => {
  it.each<[string, string, string, boolean]>([
    ['Microsoft docs example: escaped @', '.*\\@domain.com', 'ann@domain.com', true],
    ['Microsoft docs example: two digits anywhere', '([1-9][0-9])', 'id 57', true],
    ['case-sensitive by default', '^eng', 'Engineer', false],
    ['(?i) at the start ignores case', '(?i)^eng', 'Engineer', true],
    ['(?i-s) turns i on and s off', '(?i-s)^a.b$', 'A\nB', false],
    ['(?s) lets . match a newline', '(?s)^a.b$', 'a\nb', true],
    ['. matches \\r in .NET', '^a.b$', 'a\rb', true],
    ['. matches U+2028 in .NET', '^a.b$', 'a\u2028b', true],
    ['. does not match \\n without (?s)', '^a.b$', 'a\nb', false],
    ['$ matches before a final newline', '^abc$', 'abc\n', true],
    ['$ does not match before an inner newline', '^abc$', 'abc\nx', false],
    ['\\z is the very end', '^abc\\z', 'abc\n', false],
    ['\\Z allows a final newline', '^abc\\Z', 'abc\n', true],
    ['\\A is the very start, even with (?m)', '(?m)\\Aabc', 'x\nabc', false],
    ['(?m) makes ^ match after a newline', '(?m)^abc', 'x\nabc', true],
    ['(?m) ^ does not match after \\r alone', '(?m)^abc', 'x\rabc', false],
    ['(?m) makes $ match before a newline', '(?m)abc$', 'abc\nx', true],
    ['\\d matches non-ASCII digits', '^\\d+$', '١٢٣', true],
    ['\\w matches letters beyond ASCII', '^\\w+$', 'José', true],
    ['\\w inside a class', '^[\\w.]+$', 'josé.garcía', true],
    ['\\W does not match accented letters', '\\W', 'é', false],
    ['\\b is an ASCII word boundary', '\\bJos\\b', 'Hi José!', true],
    ['\\b is not between two ASCII letters', 'Jo\\b', 'José', false],
    ['\\B between two letters', 'J\\Bo', 'José', true],
    ['\\s matches a no-break space', '^a\\sb$', 'a\u00a0b', true],
    ['\\S does not', '^a\\Sb$', 'a\u00a0b', false],
    ['\\s inside a class', '^[\\s,]+$', ' ,\u2003', true],
    ['\\u escape', '^\\u00e9$', 'é', true],
    ['\\c control escape', '^\\cM$', '\r', true],
    ["named group (?'name'...)", "^(?'x'ab)+$", 'abab', true],
    ['named group (?<name>...)', '^(?<x>ab)$', 'ab', true],
    ['(?i) with a Unicode class', '(?i)^\\p{Lu}+$', 'ÉMILE', true],
    ['a { that is not a quantifier is a literal', '^a{,2}$', 'a{,2}', true],
    ['a quantifier still quantifies', '^a{2,3}$', 'aaa', true],
    ['a ] outside a class is a literal', '^a]$', 'a]', true],
    ['a ] first in a class is a literal', '^[]a]+$', ']a]', true],
    ['escaped punctuation', '^\\#\\"\\:\\-$', '#":-', true],
    ['escaped - inside a class', '^[a\\-z]+$', '-az', true],
    ['\\e is escape', '^\\e$', '\u001b', true],
    ['\\a is bell', '^\\a$', '\u0007', true],
    ['\\0 octal escape', '^\\0101$', '\u00081', true],
    ['Unicode category', '^\\p{Lu}', 'Émile', true],
    ['(?#comment) is dropped', '^a(?#the letter a)b$', 'ab', true],
    ['[ inside a class is a literal', '^[[]$', '[', true],
    ['lookbehind', '(?<=@)contoso', 'ann@contoso', true],
    ['negative lookbehind', '(?<!@)contoso', 'ann@contoso', false],
  ])('%s: %s on %j', (_name, pattern, input, expected) => {
    expect(test(pattern, input)).toBe(expected);
  });
});

describe('.NET constructs without a JavaScript counterpart', () => {
  it.each<[string, string]>([
    ['(?i:abc)', 'inline options such as (?i) are supported only at the very start of the pattern, not inside it or scoped to a group'],
    ['abc(?i)def', 'inline options such as (?i) are supported only at the very start of the pattern, not inside it or scoped to a group'],
    ['(?x) a b c', 'the x option (ignore pattern whitespace) is not supported'],
    ['(?n)(a)', 'the n option (explicit capture) is not supported'],
    ['(?q)a', 'unknown inline option "q" in "(?q)"'],
    ['(?>a+)b', `atomic groups (?>...) are not supported: ${LINEAR}`],
    ['(?(a)b|c)', `conditional groups (?(...)yes|no) are not supported: ${LINEAR}`],
    ['(?<open-close>a)', `balancing groups such as (?<open-close>...) are not supported: ${LINEAR}`],
    ['(?<-close>a)', `balancing groups such as (?<-close>...) are not supported: ${LINEAR}`],
    ['(a)\\1', `backreferences such as \\1 are not supported: ${LINEAR}`],
    ["(?'x'a)\\k'x'", `backreferences such as \\k<name> are not supported: ${LINEAR}`],
    ['a(?=b)', `lookahead such as (?=...) is not supported: ${LINEAR}`],
    ['a(?!b)', `lookahead such as (?!...) is not supported: ${LINEAR}`],
    ['(?<=(a))b', 'invalid capture in lookbehind: `(?<=(a))b`'],
    ['\\u00g1', '\\u must be followed by four hexadecimal digits, such as \\u00e9'],
    ["(?'2'a)", "numbered group names such as (?'2'...) are not supported: use a name that starts with a letter"],
    ['\\Ga', '\\G (contiguous match) is not supported'],
    ['\\p{IsGreek}', 'Unicode block names such as \\p{IsGreek} are not supported: use a script, such as \\p{Greek}'],
    ['[a-z-[aeiou]]', 'character class subtraction such as [a-z-[aeiou]] is not supported'],
    ['[\\W]', '\\W inside a character class is not supported: write the class without it, or use [^\\w...]'],
    ['\\q', 'unrecognised escape \\q'],
    ['abc\\', 'the pattern ends with a lone backslash'],
    ['[abc', 'a character class [ is not closed with ]'],
    ['a(?#never closed', 'a (?#...) comment is not closed with )'],
    ['(?P<x>a)', 'unsupported group construct "(?P<"'],
    ['(a', 'missing closing ): `(a`'],
    ['a**', 'invalid nested repetition operator: `**`'],
    ['a{1001}', 'invalid repeat count: `{1001}`'],
    ['(?<x>a)(?<x>b)', 'duplicate capture group name: `x`'],
  ])('%s: %s', (pattern, problem) => {
    expect(compileDotNetRegex(pattern)).toEqual({ ok: false, problem });
  });
});

describe('translateDotNetRegex', () => {
  it('gives the RE2 source and flags', () => {
    expect(translateDotNetRegex("(?i)^(?'user'[^@]+)\\@contoso\\.com$")).toEqual({
      source: '^(?<user>[^@]+)@contoso\\.com(?:\\n?\\z)',
      flags: RE2JS.CASE_INSENSITIVE | RE2JS.LOOKBEHINDS,
    });
    expect(translateDotNetRegex('^Eng')).toEqual({ source: '^Eng', flags: RE2JS.LOOKBEHINDS });
  });

  it('matches in linear time what a backtracking engine takes forever for', () => {
    const compiled = compileDotNetRegex('(a+)+$');
    if (!compiled.ok) throw new Error(compiled.problem);
    const started = performance.now();
    expect(compiled.regex.test(`${'a'.repeat(100_000)}!`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('compiles each pattern once', () => {
    expect(compileDotNetRegex('^cached$')).toBe(compileDotNetRegex('^cached$'));
  });
});
