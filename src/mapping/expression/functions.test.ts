import { describe, expect, it } from 'vitest';
import type { SourceValue } from '../../source/index';
import { evaluateExpression, type ExpressionContext } from './evaluate';
import { parseExpression } from './parse';
import { IGNORE_FLOW, UniqueCandidates, type ExpressionValue } from './values';

const now = new Date('2021-07-02T15:33:38Z');

/** A fixed sequence, so Guid and RandomString are reproducible. */
function seeded(seed = 7): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

function run(text: string, source: Record<string, SourceValue> = {}, context: Partial<ExpressionContext> = {}): ExpressionValue {
  return evaluateExpression(parseExpression(text), source, { now, operation: 'create', random: seeded(), ...context });
}

type Row = [expression: string, source: Record<string, SourceValue>, expected: ExpressionValue];

/** Rows per function: Microsoft's documented examples first, then null, empty, multi-valued and edge cases. */
const TABLE: Record<string, Row[]> = {
  Append: [
    ['Append([userPrincipalName], ".test")', { userPrincipalName: 'John.Doe@contoso.com' }, 'John.Doe@contoso.com.test'],
    ['Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))', { givenName: 'John', surname: 'Doe' }, 'JohDoe'],
    ['Append([userPrincipalName], ".test")', {}, null],
    ['Append([userPrincipalName], ".test")', { userPrincipalName: null }, null],
    ['Append([userPrincipalName], ".test")', { userPrincipalName: '' }, '.test'],
    ['Append("a", [missing])', {}, 'a'],
    ['Append([n], "ü")', { n: 'Zoë' }, 'Zoëü'],
  ],
  AppRoleAssignmentsComplex: [
    [
      'AppRoleAssignmentsComplex([appRoleAssignments])',
      {
        appRoleAssignments: [
          { value: 'Admin', displayName: 'Admin' },
          { value: 'User', displayName: 'User' },
        ],
      },
      [
        { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: 'Admin' },
        { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'User', value: 'User' },
      ],
    ],
    [
      'AppRoleAssignmentsComplex([appRoleAssignments])',
      { appRoleAssignments: ['Reader'] },
      [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'Reader' }],
    ],
    ['AppRoleAssignmentsComplex([appRoleAssignments])', { appRoleAssignments: [] }, []],
    ['AppRoleAssignmentsComplex([appRoleAssignments])', {}, []],
    // The shape the Graph side gives (AppRoleAssignmentValue): one role held directly and through a group is written once.
    [
      'AppRoleAssignmentsComplex([appRoleAssignments])',
      {
        appRoleAssignments: [
          { id: '4f8f8ae5-8ad5-4fb4-9c4e-1ba1b0c3e9d1', value: 'admin', displayName: 'Administrator' },
          { id: '9b0c2d41-5d3e-4e0f-8a51-0c6a7f2e3b84', value: 'reader', displayName: 'Reader' },
          { id: '4f8f8ae5-8ad5-4fb4-9c4e-1ba1b0c3e9d1', value: 'admin', displayName: 'Administrator' },
        ],
      },
      [
        { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Administrator', value: 'admin' },
        { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'reader' },
      ],
    ],
    [
      'AppRoleAssignmentsComplex([appRoleAssignments])',
      { appRoleAssignments: { appRoleId: 'a1' } },
      [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'a1', value: 'a1' }],
    ],
  ],
  BitAnd: [
    ['BitAnd(&HF, &HF7)', {}, 7],
    ['BitAnd([flags], 2)', { flags: 514 }, 2],
    ['BitAnd([flags], 2)', { flags: '512' }, 0],
    ['BitAnd([flags], 2)', {}, null],
    ['BitAnd(-1, 255)', {}, 255],
  ],
  CBool: [
    ['CBool([attribute1] = [attribute2])', { attribute1: 'a', attribute2: 'a' }, true],
    ['CBool([attribute1] = [attribute2])', { attribute1: 'a', attribute2: 'b' }, false],
    ['CBool(0)', {}, false],
    ['CBool(-3)', {}, true],
    ['CBool([x])', { x: 'True' }, true],
    ['CBool([x])', {}, false],
    ['CBool([x])', { x: '' }, false],
  ],
  CDate: [
    ['CDate([StatusHireDate])', { StatusHireDate: '2020-03-16-07:00' }, '3/16/2020 7:00:00 AM'],
    ['CDate("2021-06-30+08:00")', {}, '6/29/2021 4:00:00 PM'],
    ['CDate("2009-06-15T01:45:30-07:00")', {}, '6/15/2009 8:45:30 AM'],
    ['CDate("8/25/2021 5:41:18 PM")', {}, '8/25/2021 5:41:18 PM'],
    ['CDate("2021-08-24")', {}, '8/24/2021 12:00:00 AM'],
    ['CDate([d])', {}, null],
    ['CDate([d])', { d: '' }, null],
  ],
  Coalesce: [
    ['Coalesce([mail],[userPrincipalName])', { mail: null, userPrincipalName: 'John.Doe@contoso.com' }, 'John.Doe@contoso.com'],
    ['Coalesce([mail],[userPrincipalName])', { userPrincipalName: 'John.Doe@contoso.com' }, 'John.Doe@contoso.com'],
    ['Coalesce([mail],[userPrincipalName])', { mail: 'a@b', userPrincipalName: 'c@d' }, 'a@b'],
    ['Coalesce([mail], "none")', { mail: '' }, ''],
    ['Coalesce([otherMails], "none")', { otherMails: [] }, []],
    ['Coalesce([a], [b])', {}, null],
    ['Coalesce([a], [b], "")', {}, ''],
  ],
  ConvertToBase64: [
    ['ConvertToBase64("Hello world!")', {}, 'SABlAGwAbABvACAAdwBvAHIAbABkACEA'],
    ['ConvertToBase64("é")', {}, '6QA='],
    ['ConvertToBase64([x])', {}, null],
    ['ConvertToBase64([x])', { x: '' }, ''],
  ],
  ConvertToUTF8Hex: [
    ['ConvertToUTF8Hex("Hello world!")', {}, '48656C6C6F20776F726C6421'],
    ['ConvertToUTF8Hex("é€")', {}, 'C3A9E282AC'],
    ['ConvertToUTF8Hex([x])', {}, null],
    ['Join("", 1000, Replace(ConvertToUTF8Hex([objectId]), , "[a-zA-Z_]*", , "", , ))', { objectId: 'a1' }, '10006131'],
  ],
  Count: [
    ['Count([proxyAddresses])', { proxyAddresses: ['SMTP:a@b', 'smtp:c@d'] }, 2],
    ['Count([proxyAddresses])', { proxyAddresses: [] }, 0],
    ['Count([proxyAddresses])', {}, 0],
    ['Count([mail])', { mail: 'a@b' }, 1],
  ],
  CStr: [
    ['CStr([dn])', { dn: 'cn=Joe,dc=contoso,dc=com' }, 'cn=Joe,dc=contoso,dc=com'],
    ['CStr([n])', { n: 42 }, '42'],
    ['CStr([b])', { b: false }, 'False'],
    ['CStr([n])', {}, null],
    ['CStr([n])', { n: '' }, ''],
  ],
  DateAdd: [
    ['DateAdd("d", 7, CDate([StatusHireDate]))', { StatusHireDate: '2012-03-16-07:00' }, '3/23/2012 7:00:00 AM'],
    ['DateAdd("d", -10, CDate([StatusHireDate]))', { StatusHireDate: '2012-03-16-07:00' }, '3/6/2012 7:00:00 AM'],
    ['DateAdd("ww", 2, CDate([StatusHireDate]))', { StatusHireDate: '2012-03-16-07:00' }, '3/30/2012 7:00:00 AM'],
    ['DateAdd("m", 10, CDate([StatusHireDate]))', { StatusHireDate: '2012-03-16-07:00' }, '1/16/2013 7:00:00 AM'],
    ['DateAdd("yyyy", 2, CDate([StatusHireDate]))', { StatusHireDate: '2012-03-16-07:00' }, '3/16/2014 7:00:00 AM'],
    ['DateAdd("m", 1, CDate("2021-01-31"))', {}, '2/28/2021 12:00:00 AM'],
    ['DateAdd("yyyy", 1, CDate("2020-02-29"))', {}, '2/28/2021 12:00:00 AM'],
    ['DateAdd("h", 36, CDate("2021-01-01"))', {}, '1/2/2021 12:00:00 PM'],
    ['DateAdd("n", -1, CDate("2021-01-01"))', {}, '12/31/2020 11:59:00 PM'],
    ['DateAdd("s", [n], "2021-01-01")', { n: '30' }, '1/1/2021 12:00:30 AM'],
    ['DateAdd("d", 7, CDate([StatusHireDate]))', {}, null],
  ],
  DateDiff: [
    ['DateDiff("d", "2021-08-18+08:00", "2021-08-31+08:00")', {}, 13],
    ['DateDiff("d", "8/25/2021 5:41:18 PM", "2012-03-16-07:00")', {}, -3449],
    ['DateDiff("ww", "8/25/2021 5:41:18 PM", "2012-03-16-07:00")', {}, -493],
    ['DateDiff("m", "8/25/2021 5:41:18 PM", "2012-03-16-07:00")', {}, -113],
    ['DateDiff("yyyy", "8/25/2021 5:41:18 PM", "2012-03-16-07:00")', {}, -9],
    ['DateDiff("d", "2021-08-31+08:00", "2021-08-31+08:00")', {}, 0],
    ['DateDiff("h", "2021-08-24", "2021-08-25")', {}, 24],
    ['DateDiff("n", "2021-08-24", "2021-08-25")', {}, 1440],
    ['DateDiff("s", "2021-08-24", "2021-08-25")', {}, 86400],
    ['DateDiff("d", Now(), CDate([StatusHireDate]))', { StatusHireDate: '2021-07-12T15:33:38Z' }, 10],
    ['DateDiff("d", Now(), CDate([StatusHireDate]))', {}, null],
  ],
  DateFromNum: [
    ['DateFromNum(129699324000000000)', {}, '1/1/2012 11:00:00 PM'],
    ['DateFromNum([lastLogonTimestamp])', { lastLogonTimestamp: '129699324000000000' }, '1/1/2012 11:00:00 PM'],
    ['DateFromNum([lastLogonTimestamp])', {}, null],
  ],
  FormatDateTime: [
    [
      'FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")',
      { extensionAttribute1: '20150123105347.1Z' },
      '2015-01-23',
    ],
    ['FormatDateTime([ContractEndDate], , "yyyy-MM-ddzzz", "yyyy-MM-dd")', { ContractEndDate: '2020-12-31-08:00' }, '2020-12-31'],
    ['FormatDateTime([endDate], , "M/d/yyyy hh:mm:ss tt", "yyyy-MM-dd")', { endDate: '4/5/2023 03:04:05 PM' }, '2023-04-05'],
    [
      'FormatDateTime([d], , "yyyy-MM-dd", "dddd d MMMM yy, HH:mm:ss.fff \'UTC\'")',
      { d: '2024-02-29' },
      'Thursday 29 February 24, 00:00:00.000 UTC',
    ],
    [
      'FormatDateTime([d], "AdjustToUniversal", "yyyy-MM-ddTHH:mm:ssK", "o")',
      { d: '2024-02-29T10:00:00+02:00' },
      '2024-02-29T08:00:00.0000000Z',
    ],
    ['FormatDateTime(CDate("2021-06-30+08:00"), , "", "yyyyMMdd")', {}, '20210629'],
    ['FormatDateTime([d], , "yyyy-MM-dd", "yyyy")', {}, null],
  ],
  IgnoreFlowIfNullOrEmpty: [
    ['IgnoreFlowIfNullOrEmpty([department])', {}, IGNORE_FLOW],
    ['IgnoreFlowIfNullOrEmpty([department])', { department: null }, IGNORE_FLOW],
    ['IgnoreFlowIfNullOrEmpty([department])', { department: '' }, IGNORE_FLOW],
    ['IgnoreFlowIfNullOrEmpty([department])', { department: [] }, IGNORE_FLOW],
    ['IgnoreFlowIfNullOrEmpty([department])', { department: 'Sales' }, 'Sales'],
    ['IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))', { prefix: '3444' }, 'Prof.'],
    ['IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))', { prefix: '9' }, IGNORE_FLOW],
    ['Join(",", "a", IgnoreFlowIfNullOrEmpty([x]))', {}, IGNORE_FLOW],
  ],
  IIF: [
    ['IIF([country]="USA",[country],[department])', { country: 'USA', department: 'Sales' }, 'USA'],
    ['IIF([country]="USA",[country],[department])', { country: 'FR', department: 'Sales' }, 'Sales'],
    ['IIF([country]="USA",IIF([state]="CA","True","False"),"False")', { country: 'USA', state: 'CA' }, 'True'],
    ['IIF([country]="USA","True",IIF([state]="CA","True","False"))', { country: 'FR', state: 'CA' }, 'True'],
    ['IIF([country]="","Other",[country])', {}, 'Other'],
    ['IIF([country]="","Other",[country])', { country: null }, 'Other'],
    ['IIF(IsNullOrEmpty([country]),"Other",[country])', {}, 'Other'],
    ['IIF(IsPresent([country]),[country],"Other")', { country: 'NL' }, 'NL'],
    ['IIF([country]="usa","y","n")', { country: 'USA' }, 'n'],
    ['IIF([age] > 9, "y", "n")', { age: '10' }, 'y'],
    ['IIF([age] >= [limit], "y", "n")', { age: 10, limit: '10' }, 'y'],
    ['IIF([a] < [b], "y", "n")', { a: 'apple', b: 'banana' }, 'y'],
    ['IIF([a] <= "", "y", "n")', {}, 'y'],
    ['IIF([flag] = "True", "y", "n")', { flag: true }, 'y'],
    ['IIF([flag] <> "True", "y", "n")', { flag: false }, 'y'],
    ['IIF(CDate([d]) > Now(), "future", "past")', { d: '2030-01-01' }, 'future'],
    ['IIF([flag], "y", CDate("garbage"))', { flag: true }, 'y'],
    ['IIF([flag], "y", "n")', {}, 'n'],
  ],
  InStr: [
    ['InStr("The quick brown fox","quick")', {}, 5],
    ['InStr("repEated","e",3,vbBinaryCompare)', {}, 7],
    ['InStr("repEated","e",3,vbTextCompare)', {}, 4],
    ['InStr("repEated","e", , "vbTextCompare")', {}, 2],
    ['InStr("abc","z")', {}, 0],
    ['InStr("abc","")', {}, 1],
    ['InStr("abc","c",9)', {}, 0],
    ['InStr([x],"a")', {}, null],
    ['InStr("😀ab","a")', {}, 2],
  ],
  IsNull: [
    ['IsNull([displayName])', {}, true],
    ['IsNull([displayName])', { displayName: null }, true],
    ['IsNull([displayName])', { displayName: '' }, false],
    ['IsNull([displayName])', { displayName: [] }, false],
    ['IsNull([displayName])', { displayName: 'Ada' }, false],
  ],
  IsNullOrEmpty: [
    ['IsNullOrEmpty([displayName])', {}, true],
    ['IsNullOrEmpty([displayName])', { displayName: null }, true],
    ['IsNullOrEmpty([displayName])', { displayName: '' }, true],
    ['IsNullOrEmpty([displayName])', { displayName: [] }, true],
    ['IsNullOrEmpty([displayName])', { displayName: ' ' }, false],
    ['IsNullOrEmpty([displayName])', { displayName: 0 }, false],
  ],
  IsPresent: [
    [
      'Switch(IsPresent([directManager]), "", "True", [directManager], "False", [skipLevelManager])',
      { directManager: 'm1', skipLevelManager: 'm2' },
      'm1',
    ],
    ['Switch(IsPresent([directManager]), "", "True", [directManager], "False", [skipLevelManager])', { skipLevelManager: 'm2' }, 'm2'],
    ['IsPresent([x])', { x: '' }, false],
    ['IsPresent([x])', { x: ['a'] }, true],
    ['IsPresent([x])', { x: false }, true],
  ],
  IsString: [
    ['IsString([x])', { x: 'a' }, true],
    ['IsString([x])', { x: '' }, true],
    ['IsString([x])', { x: 1 }, false],
    ['IsString([x])', { x: ['a'] }, false],
    ['IsString([x])', {}, false],
    ['IsString(CDate("2021-01-01"))', {}, true],
  ],
  Item: [
    ['Item([proxyAddresses], 1)', { proxyAddresses: ['SMTP:a@b', 'smtp:c@d'] }, 'SMTP:a@b'],
    ['Item([proxyAddresses], 2)', { proxyAddresses: ['SMTP:a@b', 'smtp:c@d'] }, 'smtp:c@d'],
    ['Item([proxyAddresses], 3)', { proxyAddresses: ['SMTP:a@b', 'smtp:c@d'] }, null],
    ['Item([proxyAddresses], 1)', { proxyAddresses: [] }, null],
    ['Item([proxyAddresses], 1)', {}, null],
    ['Item([mail], 1)', { mail: 'a@b' }, 'a@b'],
    ['Item([proxyAddresses], [i])', { proxyAddresses: ['x', 'y'], i: '2' }, 'y'],
  ],
  Join: [
    ['Join(", ", "", [surname], [givenName])', { surname: 'Doe', givenName: 'John' }, 'Doe, John'],
    ['Join(" ", [givenName], [surname])', { givenName: 'John' }, 'John'],
    ['Join(",", [otherMails], [mail])', { otherMails: ['a@b', '', 'c@d'], mail: 'e@f' }, 'a@b,c@d,e@f'],
    ['Join("", 1000, "x")', {}, '1000x'],
    ['Join(",", [a], [b])', {}, ''],
    ['Join([sep], "a", "b")', {}, 'ab'],
    ['Join("-", [flag], 2.5)', { flag: true }, 'True-2.5'],
  ],
  Left: [
    ['Left("John Doe", 3)', {}, 'Joh'],
    ['Left("John Doe", 0)', {}, ''],
    ['Left("John Doe", -1)', {}, 'John Doe'],
    ['Left([x], 3)', {}, ''],
    ['Left([x], 3)', { x: null }, ''],
    ['Left("Jo", 5)', {}, 'Jo'],
    ['Left("😀é漢字", 2)', {}, '😀é'],
  ],
  Mid: [
    ['Mid([givenName], 1, 3)', { givenName: 'John' }, 'Joh'],
    ['Mid("John", 2, 10)', {}, 'ohn'],
    ['Mid("John", 5, 1)', {}, ''],
    ['Mid("John", 2, 0)', {}, ''],
    ['Mid([x], 1, 1)', {}, null],
    ['Mid("Łukasz", 1, 2)', {}, 'Łu'],
    ['Mid("a😀b", 2, 1)', {}, '😀'],
  ],
  NormalizeDiacritics: [
    ['NormalizeDiacritics([givenName])', { givenName: 'Zoë' }, 'Zoe'],
    ['NormalizeDiacritics("Zoë Ångström Øster Łukasz")', {}, 'Zoe Angstrom OEster Lukasz'],
    ['NormalizeDiacritics("Æsir æble straße Œ̄ œ ı İ")', {}, 'AEsir aeble strasse OE œ i I'],
    ['NormalizeDiacritics("Jéssica Müller-Lüdenscheidt Çelik Dvořák")', {}, 'Jessica Muller-Ludenscheidt Celik Dvorak'],
    ['NormalizeDiacritics([n])', { n: 'Zoe\u0308 a\u0304\u0301 e\u030a\u0304' }, 'Zoe a e'],
    ['NormalizeDiacritics([n])', { n: 'Ḗ ṻ ȳ̃ ḹ 漢' }, 'E u y l 漢'],
    ['NormalizeDiacritics([n])', {}, null],
    ['NormalizeDiacritics([n])', { n: '' }, ''],
  ],
  Not: [
    ['Not([IsSoftDeleted])', { IsSoftDeleted: true }, false],
    ['Not([IsSoftDeleted])', { IsSoftDeleted: 'False' }, true],
    ['Not([IsSoftDeleted])', { IsSoftDeleted: 'TRUE' }, false],
    ['Not([IsSoftDeleted])', {}, true],
    ['Not([IsSoftDeleted])', { IsSoftDeleted: null }, true],
    ['Not(IsNull([x]))', { x: 1 }, true],
  ],
  Now: [['Now()', {}, '7/2/2021 3:33:38 PM']],
  NumFromDate: [
    [
      'NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))',
      { ContractEndDate: '2020-12-31-08:00' },
      '132539615990000000',
    ],
    [
      'NumFromDate(Join("",FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd")," 23:59:59-08:00"))',
      { endDate: '12/31/2020 10:00:00 AM' },
      '132539615990000000',
    ],
    ['NumFromDate("2012-01-01T23:00:00Z")', {}, '129699324000000000'],
    ['NumFromDate([d])', {}, null],
  ],
  PCase: [
    ['PCase([firstName])', { firstName: 'PABLO GONSALVES (SECOND)' }, 'Pablo Gonsalves (Second)'],
    ['PCase([lastName]," \'-")', { lastName: "PINTO-DE'SILVA" }, "Pinto-De'Silva"],
    ['PCase(Join(" ",[firstName],[lastName]))', { firstName: 'GREGORY', lastName: 'JAMES' }, 'Gregory James'],
    ['PCase("o\'neil mcdonald-smith_jr")', {}, "O'neil Mcdonald-Smith_Jr"],
    ['PCase("ÉLODIE ÅSA")', {}, 'Élodie Åsa'],
    ['PCase([x])', {}, null],
  ],
  Redact: [
    ['Redact([userPrincipalName])', { userPrincipalName: 'a@b' }, 'a@b'],
    ['Redact("StringToBeRedacted")', {}, 'StringToBeRedacted'],
    ['Redact([x])', {}, undefined],
  ],
  RemoveDuplicates: [
    ['RemoveDuplicates([proxyAddresses])', { proxyAddresses: ['SMTP:a@b', 'smtp:a@b', 'SMTP:a@b'] }, ['SMTP:a@b', 'smtp:a@b']],
    ['RemoveDuplicates([proxyAddresses])', { proxyAddresses: [] }, []],
    ['RemoveDuplicates([proxyAddresses])', {}, undefined],
    ['RemoveDuplicates([mail])', { mail: 'a@b' }, 'a@b'],
  ],
  Replace: [
    [
      'Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )',
      { BusinessTitle: 'Product Developer' },
      'Software Engineer',
    ],
    ['Replace([UserID],"<username>", , , , , "<username>@contoso.com")', { UserID: 'jsmith' }, 'jsmith@contoso.com'],
    [
      'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", , "${phoneNumber}", , )',
      { telephoneNumber: '+91 9998887777' },
      '9998887777',
    ],
    ['Replace([mobile], , "[()\\\\s-]+", , "", , )', { mobile: '+1 (999) 888-7777' }, '+19998887777'],
    [
      'Replace([AddressLineData], ,"(?<streetNumber>^\\\\d*)","streetNumber", "888", , )',
      { AddressLineData: '545 Tremont Street' },
      '888 Tremont Street',
    ],
    ['Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )', { userPrincipalName: 'jsmith@contoso.com' }, 'jsmith'],
    [
      'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )',
      { telephoneNumber: '', mobile: '+91 8887779999' },
      '8887779999',
    ],
    [
      'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )',
      { telephoneNumber: '+1 555', mobile: '+91 8887779999' },
      '+1 555',
    ],
    [
      'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )',
      { mobile: 'none' },
      null,
    ],
    ['Replace([mailNickname], , "[a-zA-Z_]*", , "", , )', { mailNickname: 'john_doe72' }, '72'],
    ['Replace([mail], "@contoso.com", , ,"", ,)', { mail: 'john.doe@contoso.com' }, 'john.doe'],
    ['Replace([x], "a", , , "b", , )', { x: 'AaAa' }, 'AbAb'],
    ['Replace([x], , "(\\\\w+)@(\\\\w+)", , "$2 at $1 ($$)", , )', { x: 'ada@contoso' }, 'contoso at ada ($)'],
    ['Replace([x], "a", , , "b", , )', {}, null],
  ],
  SingleAppRoleAssignment: [
    ['SingleAppRoleAssignment([appRoleAssignments])', { appRoleAssignments: [{ value: 'Admin', displayName: 'Administrator' }] }, 'Admin'],
    ['SingleAppRoleAssignment([appRoleAssignments])', { appRoleAssignments: [] }, null],
    ['SingleAppRoleAssignment([appRoleAssignments])', {}, null],
    [
      'SingleAppRoleAssignment([appRoleAssignments])',
      {
        appRoleAssignments: [
          { id: '4f8f8ae5-8ad5-4fb4-9c4e-1ba1b0c3e9d1', value: 'admin', displayName: 'Administrator' },
          { id: '4f8f8ae5-8ad5-4fb4-9c4e-1ba1b0c3e9d1', value: 'admin', displayName: 'Administrator' },
        ],
      },
      'admin',
    ],
  ],
  Split: [
    [
      'Split([extensionAttribute5], ",")',
      { extensionAttribute5: 'PermissionSetOne, PermissionSetTwo' },
      ['PermissionSetOne', 'PermissionSetTwo'],
    ],
    ['Split([x], ";")', { x: 'a' }, ['a']],
    ['Split([x], ";")', { x: 'a;;b' }, ['a', '', 'b']],
    ['Split([x], ";")', {}, null],
    ['Split([x], "")', { x: 'ab' }, ['ab']],
  ],
  StripSpaces: [
    ['StripSpaces([x])', { x: ' Mary Ann  Smith ' }, 'MaryAnnSmith'],
    ['StripSpaces([x])', { x: 'tab\there' }, 'tab\there'],
    ['StripSpaces([x])', {}, null],
  ],
  Switch: [
    [
      'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")',
      { state: 'QLD' },
      'Australia/Brisbane',
    ],
    [
      'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")',
      { state: 'WA' },
      'Australia/Sydney',
    ],
    [
      'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")',
      { state: 'qld' },
      'Australia/Sydney',
    ],
    ['Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")', { statusFlag: 'TRUE' }, '1'],
    ['Switch([statusFlag], "Default Value", "true", "1", "", "0")', { statusFlag: '' }, '0'],
    ['Switch([statusFlag], "Default Value", "true", "1", "", "0")', {}, '0'],
    ['Switch([country],[country],"","Other")', {}, 'Other'],
    ['Switch([country],[country],"","Other")', { country: 'NL' }, 'NL'],
    ['Switch([Active], , "1", "True", "0", "False")', { Active: '2' }, null],
    ['Switch([accountEnabled], "?", "True", "on", "False", "off")', { accountEnabled: false }, 'off'],
    ['Switch([x], "d", "a", CDate("garbage"), "b", "B")', { x: 'b' }, 'B'],
  ],
  ToLower: [
    [
      'ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"))',
      { PreferredFirstName: 'John', PreferredLastName: 'Smith' },
      'john.smith@contoso.com',
    ],
    ['ToLower("ÅNGSTRÖM İSTANBUL")', {}, 'ångström istanbul'],
    ['ToLower("ISTANBUL", "tr-TR")', {}, 'ıstanbul'],
    ['ToLower([x])', {}, null],
  ],
  ToUpper: [
    ['ToUpper("straße")', {}, 'STRAßE'],
    ['ToUpper("istanbul", "tr-TR")', {}, 'İSTANBUL'],
    ['ToUpper("zoë", "en-US")', {}, 'ZOË'],
    ['ToUpper([x])', {}, null],
  ],
  Word: [
    ['Word("The quick brown fox",3," ")', {}, 'brown'],
    ['Word("This,string!has&many separators",3,",!&#")', {}, 'has'],
    ['Word("This,string!has&many separators",4,",!&#")', {}, 'many separators'],
    ['Word("a,,b",2,",")', {}, 'b'],
    ['Word("a b",0," ")', {}, ''],
    ['Word("a b",-1," ")', {}, ''],
    ['Word("a b",3," ")', {}, ''],
    ['Word([x],1," ")', {}, ''],
    ['Word("Zoë Ångström",2," ")', {}, 'Ångström'],
  ],
};

describe.each(Object.entries(TABLE))('%s', (_name, rows) => {
  it.each(rows)('%s with %j', (expression, source, expected) => {
    expect(run(expression, source)).toEqual(expected);
  });
});

describe('functions that draw on the random source', () => {
  it('Guid gives a version 4 GUID, the same for the same random sequence', () => {
    const first = run('Guid()');
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run('Guid()')).toBe(first);
    expect(run('Guid()', {}, { random: seeded(99) })).not.toBe(first);
  });

  type Minimums = { numbers?: number; special?: number; capital?: number; lower?: number };
  it.each<[string, number, Minimums]>([
    ['RandomString(6,3,0,0,3)', 6, { numbers: 3, lower: 3 }],
    ['RandomString(10,2,2,2,1,"?,")', 10, { numbers: 2, special: 2, capital: 2, lower: 1 }],
    ['RandomString(256,0,0,0,0)', 256, {}],
  ])('%s meets its minimums', (expression, length, minimums) => {
    for (let seed = 1; seed < 30; seed++) {
      const value = run(expression, {}, { random: seeded(seed) }) as string;
      expect([...value]).toHaveLength(length);
      const count = (pattern: RegExp) => [...value].filter((c) => pattern.test(c)).length;
      expect(count(/\d/)).toBeGreaterThanOrEqual(minimums.numbers ?? 0);
      expect(count(/[A-Z]/)).toBeGreaterThanOrEqual(minimums.capital ?? 0);
      expect(count(/[a-z]/)).toBeGreaterThanOrEqual(minimums.lower ?? 0);
      expect(count(/[^A-Za-z0-9]/)).toBeGreaterThanOrEqual(minimums.special ?? 0);
      if (expression.includes('"?,"')) expect(value).not.toMatch(/[?,]/);
    }
  });

  it.each(['Guid()', 'RandomString(6,3,0,0,3)'])('%s fails as a configuration error without a random source', (expression) => {
    expect(() => evaluateExpression(parseExpression(expression), {}, { now, operation: 'create' })).toThrow(
      expect.objectContaining({ kind: 'configuration', message: expect.stringContaining('needs a random source') }),
    );
  });

  it('RandomString fails when the characters to avoid leave a required kind empty', () => {
    expect(() => run('RandomString(4,1,0,0,0,"0123456789")')).toThrow(/leaves no numbers/);
  });
});

describe('SelectUniqueValue', () => {
  const upn = `SelectUniqueValue(
    Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"),
    Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"),
    Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 2), [PreferredLastName]))), "contoso.com")
  )`;

  it('gives the candidates in order on create', () => {
    const value = run(upn, { PreferredFirstName: 'John', PreferredLastName: 'Smith' });
    expect(value).toBeInstanceOf(UniqueCandidates);
    expect((value as UniqueCandidates).candidates).toEqual(['John.Smith@contoso.com', 'J.Smith@contoso.com', 'Jo.Smith@contoso.com']);
  });

  it('leaves out empty and repeated candidates', () => {
    const value = run('SelectUniqueValue([a], [b], [a], "x")', { a: 'A', b: '' }) as UniqueCandidates;
    expect(value.candidates).toEqual(['A', 'x']);
  });

  it('normalizes diacritics in candidates', () => {
    const value = run(upn, { PreferredFirstName: 'Jéssica', PreferredLastName: 'Smith' }) as UniqueCandidates;
    expect(value.candidates[0]).toBe('Jessica.Smith@contoso.com');
  });

  it('gives nothing on update', () => {
    expect(run(upn, { PreferredFirstName: 'John', PreferredLastName: 'Smith' }, { operation: 'update' })).toBeUndefined();
  });

  it('is not a source object', () => {
    expect(run('Item([x], 1)', { x: [{ kind: 'uniqueCandidates', candidates: ['a'] }] })).not.toBeInstanceOf(UniqueCandidates);
  });
});

describe('evaluation errors', () => {
  it.each<[string, Record<string, SourceValue>, string, 'permanent' | 'configuration']>([
    ['CDate([d])', { d: 'garbage' }, 'at 1: CDate: expression holds "garbage", which is not a date', 'permanent'],
    ['Append("x", CDate([d]))', { d: '2021-02-30' }, 'at 13: CDate: expression holds "2021-02-30", which is not a date', 'permanent'],
    [
      'Append([otherMails], "x")',
      { otherMails: ['a', 'b'] },
      'at 1: Append: source holds 2 values, where one value is needed (pick one with Item, or use Join)',
      'permanent',
    ],
    ['ToUpper([manager])', { manager: { id: 'm' } }, 'at 1: ToUpper: source holds an object', 'permanent'],
    ['Item([x], [i])', { x: ['a'], i: 0 }, 'at 1: Item: index is 1-based, so 0 is not a position', 'permanent'],
    ['Mid("abc", [s], 1)', { s: '0' }, 'at 1: Mid: start is 1-based', 'permanent'],
    ['Mid("abc", 1, [n])', { n: -1 }, 'at 1: Mid: length must be at least 0, not -1', 'permanent'],
    ['Left("abc", [n])', { n: 'two' }, 'at 1: Left: numChars must be a number, not "two"', 'permanent'],
    ['Not([x])', { x: 'Analyst' }, 'at 1: Not: source must be true or false, not "Analyst"', 'permanent'],
    ['IIF([x], "a", "b")', { x: 'maybe' }, 'at 1: IIF: condition must be true or false', 'permanent'],
    ['IIF([x] = "a", "a", "b")', { x: ['a'] }, 'at 5: cannot compare 1 value', 'permanent'],
    ['DateAdd([i], 1, "2021-01-01")', { i: 'q' }, 'at 1: DateAdd: interval must be one of', 'configuration'],
    [
      'FormatDateTime([d], , "yyyy-MM-dd", "yyyy")',
      { d: '01/02/2021' },
      'at 1: FormatDateTime: "01/02/2021" does not match the input format "yyyy-MM-dd"',
      'permanent',
    ],
    ['FormatDateTime([d], , "yyyy-MM-dd", "q")', { d: '2021-01-02' }, '"q" is not a standard format', 'configuration'],
    ['SingleAppRoleAssignment([r])', { r: ['a', 'b'] }, 'the user has 2 app roles', 'permanent'],
    [
      'SingleAppRoleAssignment([r])',
      {
        r: [
          { id: 'a1', value: 'a', displayName: 'A' },
          { id: 'b2', value: 'b', displayName: 'B' },
        ],
      },
      'the user has 2 app roles',
      'permanent',
    ],
    [
      'AppRoleAssignmentsComplex([r])',
      { r: [{ id: 'a1', displayName: 'A' }] },
      'each app role assignment must be a role value or an object with "value"',
      'permanent',
    ],
    [
      'AppRoleAssignmentsComplex([r])',
      { r: [{ value: '' }] },
      'each app role assignment must be a role value or an object with "value"',
      'permanent',
    ],
    ['Replace([x], , [p], , "", , )', { x: 'a', p: '(' }, 'regexPattern is not a valid regular expression', 'configuration'],
    ['DateFromNum([t])', { t: '12x' }, 'Active Directory timestamp', 'permanent'],
    ['InStr("abc", "a", [s])', { s: 0 }, 'start is 1-based', 'permanent'],
  ])('%s with %j fails: %s', (expression, source, message, kind) => {
    let caught: unknown;
    try {
      run(expression, source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'ExpressionError', kind, message: expect.stringContaining(message) });
  });

  it('Now fails as a configuration error without a clock', () => {
    const expression = parseExpression('Now()');
    expect(() => evaluateExpression(expression, {}, { operation: 'create' } as ExpressionContext)).toThrow(
      expect.objectContaining({ kind: 'configuration', message: 'at 1: Now: needs the current time, which the caller did not provide' }),
    );
  });

  it('reports line and column of the failing call', () => {
    const expression = parseExpression('Join(",",\n  [a],\n  CDate([d]))');
    expect(() => evaluateExpression(expression, { d: 'x' }, { now, operation: 'create' })).toThrow(
      expect.objectContaining({ position: 20, line: 3, column: 3 }),
    );
  });
});
