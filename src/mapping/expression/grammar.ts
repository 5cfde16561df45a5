/**
 * The expression grammar (peggy). The parser is generated from it once, on first use, rather
 * than committed as generated code: the grammar is the single source and there is no build step
 * that could let a generated file drift from it. Generation takes a few milliseconds.
 */
import peggy from 'peggy';

const GRAMMAR = String.raw`
{{
  function node(type, loc, fields) {
    return { type, position: loc.start.offset + 1, length: loc.end.offset - loc.start.offset, ...fields };
  }
}}

Start
  = _ @Expression _

// One pass over the left operand (no backtracking to re-read it): nested calls parse in linear time.
Expression
  = left:Operand tail:(_ @Operator _ @Operand)? {
      return tail === null ? left : node('comparison', location(), { operator: tail[0], left, right: tail[1] });
    }

Operator "a comparison operator"
  = "<>" / "<=" / ">=" / "=" / "<" / ">"

Operand
  = Call
  / Attribute
  / String
  / Number
  / Name

Call
  = name:Identifier _ "(" _ args:Arguments _ ")" { return node('call', location(), { name, args }); }

Arguments
  = head:Argument tail:(_ "," _ @Argument)* { return [head, ...tail]; }

Argument
  = Expression
  / "" { return node('empty', location(), {}); }

Attribute
  = "[" name:AttributeName "]" { return node('attribute', location(), { name }); }

AttributeName "an attribute name"
  = $[^\[\]]+

String "a string"
  = '"' chars:Char* '"' { return node('string', location(), { value: chars.join('') }); }
  / '"' Char* !. { error('the string that starts here is not closed with a quote'); }

Char
  = "\\" @["\\]
  / $("\\" !["\\])
  / $[^"\\]+

Number "a number"
  = "&" [Hh] digits:$[0-9A-Fa-f]+ { return node('number', location(), { value: parseInt(digits, 16), text: text() }); }
  / digits:$("-"? [0-9]+ ("." [0-9]+)?) { return node('number', location(), { value: Number(digits), text: digits }); }

Name
  = name:Identifier !(_ "(") { return node('name', location(), { name }); }

Identifier "a function name"
  = $([A-Za-z_] [A-Za-z0-9_]*)

_ "whitespace"
  = [ \t\r\n]*
`;

export interface GeneratedParser {
  parse(input: string): unknown;
}

let parser: GeneratedParser | undefined;

/** The generated parser; its errors are peggy's `SyntaxError` with `location`, `expected` and `found`. */
export function expressionParser(): GeneratedParser {
  parser ??= peggy.generate(GRAMMAR);
  return parser;
}
