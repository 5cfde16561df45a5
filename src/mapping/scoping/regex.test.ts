import { describe, expect, it } from 'vitest';
import { compileDotNetRegex, translateDotNetRegex } from './regex';

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
    ['\\b with letters beyond ASCII', '\\bJosé\\b', 'Hi José!', true],
    ['\\b is not between two letters', 'os\\b', 'José', false],
    ['\\B between two letters', 'J\\Bo', 'José', true],
    ["named group (?'name'...) with \\k'name'", "^(?'x'ab)\\k'x'$", 'abab', true],
    ['named group (?<name>...) with \\k<name>', '^(?<x>ab)\\k<x>$', 'abab', true],
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
    ['(?>a+)b', 'atomic groups (?>...) are not supported'],
    ['(?(a)b|c)', 'conditional groups (?(...)yes|no) are not supported'],
    ['(?<open-close>a)', 'balancing groups such as (?<open-close>...) are not supported'],
    ['(?<-close>a)', 'balancing groups such as (?<-close>...) are not supported'],
    ["(?'2'a)", "numbered group names such as (?'2'...) are not supported: use a name that starts with a letter"],
    ['\\Ga', '\\G (contiguous match) is not supported'],
    ['\\p{IsGreek}', 'Unicode block names such as \\p{IsGreek} are not supported: use a script, such as \\p{Script=Greek}'],
    ['[a-z-[aeiou]]', 'character class subtraction such as [a-z-[aeiou]] is not supported'],
    ['[\\W]', '\\W inside a character class is not supported: write the class without it, or use [^\\w...]'],
    ['\\q', 'unrecognised escape \\q'],
    ['abc\\', 'the pattern ends with a lone backslash'],
    ['[abc', 'a character class [ is not closed with ]'],
    ['a(?#never closed', 'a (?#...) comment is not closed with )'],
    ['(?P<x>a)', 'unsupported group construct "(?P<"'],
    ['(a', 'Unterminated group'],
    ['a**', 'Nothing to repeat'],
    ['(a)\\2', 'Invalid escape'],
    ['(?<x>a)(?<x>b)', 'Duplicate capture group name'],
  ])('%s: %s', (pattern, problem) => {
    expect(compileDotNetRegex(pattern)).toEqual({ ok: false, problem });
  });
});

describe('translateDotNetRegex', () => {
  it('gives the JavaScript source and flags', () => {
    expect(translateDotNetRegex("(?i)^(?'user'[^@]+)\\@contoso\\.com$")).toEqual({
      source: '^(?<user>[^@]+)@contoso\\.com(?=\\n?(?![\\s\\S]))',
      flags: 'iu',
    });
    expect(translateDotNetRegex('^Eng')).toEqual({ source: '^Eng', flags: 'u' });
  });

  it('compiles each pattern once', () => {
    expect(compileDotNetRegex('^cached$')).toBe(compileDotNetRegex('^cached$'));
  });
});
