/** Text functions with Microsoft's own rules: NormalizeDiacritics' table, PCase's word breaks, invariant case mapping, RandomString. */

/**
 * Microsoft's NormalizeDiacritics table: each plain replacement with the characters (some of
 * them a letter plus combining marks, kept here in NFC) it stands for. Characters not listed,
 * such as "œ" without a macron, are kept.
 */
const DIACRITICS: readonly (readonly [string, string])[] = [
  ['a', 'ä à â ã å á ą ă ā ā́ ā̀ ā̂ ā̃ ǟ ā̈ ǡ a̱ å̄'],
  ['ae', 'æ ǣ'],
  ['c', 'ç č ć c̄ c̱'],
  ['d', 'ď d̄ ḏ'],
  ['e', 'ë è é ê ę ě ė ē ḗ ḕ ē̂ ē̃ ê̄ e̱ ë̄ e̊̄'],
  ['g', 'ğ ḡ g̱'],
  ['i', 'ï î ì í ı ī ī́ ī̀ ī̂ ī̃ i̱'],
  ['l', 'ľ ł l̄ ḹ ḻ'],
  ['n', 'ñ ń ň n̄ ṉ'],
  ['o', 'ö ò ő õ ô ó ō ṓ ṑ ō̂ ō̃ ȫ ō̈ ǭ ȭ ȱ o̱'],
  ['oe', 'ø ø̄ œ̄'],
  ['r', 'ř r̄ ṟ ṝ'],
  ['s', 'š ś ș ş s̄ s̱'],
  ['t', 'ť ț t̄ ṯ'],
  ['u', 'ü ù û ú ů ű ū ū́ ū̀ ū̂ ū̃ u̇̄ ǖ ṻ ṳ̄ u̱'],
  ['y', 'ÿ ý ȳ ȳ́ ȳ̀ ȳ̃ y̱'],
  ['z', 'ź ž ż z̄ ẕ'],
  ['A', 'Ä À Â Ã Å Á Ą Ă Ā Ā́ Ā̀ Ā̂ Ā̃ Ǟ Ā̈ Ǡ A̱ Å̄'],
  ['AE', 'Æ Ǣ'],
  ['C', 'Ç Č Ć C̄ C̱'],
  ['D', 'Ď D̄ Ḏ'],
  ['E', 'Ë È É Ê Ę Ě Ė Ē Ḗ Ḕ Ē̂ Ē̃ Ê̄ E̱ Ë̄ E̊̄'],
  ['G', 'Ğ Ḡ G̱'],
  ['I', 'Ï Î Ì Í İ Ī Ī́ Ī̀ Ī̂ Ī̃ I̱'],
  ['L', 'Ł Ľ L̄ Ḹ Ḻ'],
  ['N', 'Ñ Ń Ň N̄ Ṉ'],
  ['O', 'Ö Ò Ő Õ Ô Ó Ō Ṓ Ṑ Ō̂ Ō̃ Ȫ Ō̈ Ǭ Ȭ Ȱ O̱'],
  ['OE', 'Ø Ø̄ Œ̄'],
  ['R', 'Ř R̄ Ṟ Ṝ'],
  ['ss', 'ß'],
  ['S', 'Š Ś Ș Ş S̄ S̱'],
  ['T', 'Ť Ț T̄ Ṯ'],
  ['U', 'Ü Ù Û Ú Ů Ű Ū Ū́ Ū̀ Ū̂ Ū̃ U̇̄ Ǖ Ṻ Ṳ̄ U̱'],
  ['Y', 'Ÿ Ý Ȳ Ȳ́ Ȳ̀ Ȳ̃ Y̱'],
  ['Z', 'Ź Ž Ż Z̄ Ẕ'],
];

const REPLACEMENTS = new Map<string, string>(
  DIACRITICS.flatMap(([plain, chars]) => chars.split(' ').map((char) => [char, plain] as const)),
);
const LONGEST = Math.max(...[...REPLACEMENTS.keys()].map((key) => key.length));

/** NormalizeDiacritics: the text (in NFC) with every character of Microsoft's table replaced, longest sequence first. */
export function normalizeDiacritics(text: string): string {
  const input = text.normalize('NFC');
  let output = '';
  for (let index = 0; index < input.length;) {
    let length = Math.min(LONGEST, input.length - index);
    for (; length > 0; length--) {
      const plain = REPLACEMENTS.get(input.slice(index, index + length));
      if (plain !== undefined) {
        output += plain;
        break;
      }
    }
    if (length === 0) {
      const char = String.fromCodePoint(input.codePointAt(index)!);
      output += char;
      index += char.length;
    } else index += length;
  }
  return output;
}

/**
 * The word breaks .NET's TextInfo.ToTitleCase uses, which PCase follows when no separators are
 * given: white space, control and format characters, punctuation (except the apostrophe, which
 * stays inside a word as in "O'Neil") and symbols.
 */
const DEFAULT_SEPARATOR = /[\p{Z}\p{Cc}\p{Cf}\p{Pc}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{Sm}\p{Sc}\p{Sk}\p{So}]/u;
const LETTER = /\p{L}/u;

/** PCase: the first letter of each word in upper case, every other letter in lower case. */
export function properCase(text: string, separators?: string): string {
  const isSeparator =
    separators === undefined ? (char: string) => char !== "'" && DEFAULT_SEPARATOR.test(char) : (char: string) => separators.includes(char);
  let atWordStart = true;
  let output = '';
  for (const char of text) {
    if (isSeparator(char)) {
      atWordStart = true;
      output += char;
    } else {
      output += LETTER.test(char) ? mapCase(char, atWordStart ? 'upper' : 'lower') : char;
      atWordStart = false;
    }
  }
  return output;
}

const COMBINING = /^\p{M}*$/u;

/**
 * Case mapping one character at a time, as .NET does: a character whose mapping would change
 * the length keeps its form ("ß" stays "ß" in upper case), except that trailing combining marks
 * of the mapping are dropped ("İ" lowers to "i").
 */
export function mapCase(text: string, to: 'upper' | 'lower', culture?: string): string {
  let output = '';
  for (const char of text) {
    const mapped = to === 'upper' ? char.toLocaleUpperCase(culture ?? 'und') : char.toLocaleLowerCase(culture ?? 'und');
    const [first, ...rest] = [...mapped];
    output += rest.length === 0 ? mapped : COMBINING.test(rest.join('')) && first !== undefined ? first : char;
  }
  return output;
}

/** RandomString's longest string. */
export const RANDOM_STRING_MAX_LENGTH = 256;

/** The character kinds of Windows' password complexity rules, which RandomString draws from. */
export const RANDOM_CHARACTERS = {
  numbers: '0123456789',
  special: '~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/',
  capital: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
} as const;

export interface RandomStringRequest {
  length: number;
  numbers: number;
  special: number;
  capital: number;
  lower: number;
  avoid: string;
}

/**
 * RandomString: the minimum of each kind, the rest from all kinds, shuffled; characters to
 * avoid are never drawn.
 *
 * @throws RangeError when the characters to avoid leave a required kind, or every kind, empty.
 */
export function randomString(request: RandomStringRequest, random: () => number): string {
  const pick = (chars: string) => chars[Math.min(chars.length - 1, Math.floor(random() * chars.length))]!;
  const allowed = (chars: string) => [...chars].filter((char) => !request.avoid.includes(char)).join('');
  const kinds = [
    [allowed(RANDOM_CHARACTERS.numbers), request.numbers],
    [allowed(RANDOM_CHARACTERS.special), request.special],
    [allowed(RANDOM_CHARACTERS.capital), request.capital],
    [allowed(RANDOM_CHARACTERS.lower), request.lower],
  ] as const;
  const names = ['numbers', 'special characters', 'capital letters', 'lower-case letters'];
  kinds.forEach(([pool, minimum], index) => {
    if (minimum > 0 && pool === '') throw new RangeError(`charactersToAvoid leaves no ${names[index]} to draw from`);
  });
  const chars: string[] = [];
  for (const [pool, minimum] of kinds) for (let i = 0; i < minimum; i++) chars.push(pick(pool));
  const all = kinds.map(([pool]) => pool).join('');
  if (all === '' && chars.length < request.length) throw new RangeError('charactersToAvoid leaves no characters to draw from');
  while (chars.length < request.length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
