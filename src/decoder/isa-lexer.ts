/**
 * Token rules for isa/*.isa files (see docs/isa-format.md).
 *
 * A row is one line: encoding tokens, a mnemonic, an optional operand list
 * and attributes. The lexer only cuts lines into tokens; isa-parser.ts gives
 * them meaning and reports `file:line: error:` for anything malformed.
 */
import moo from 'moo';

export const isaLexerRules = {
  ws: /[ \t]+/,
  comment: /#[^\n]*/,
  nl: { match: /\r?\n/, lineBreaks: true },
  directive: /@[a-z]+/,
  modrm: /\/[r0-7]/,
  plusr: /\+r/,
  // A lower-case hex byte standing alone: "fa" in "fadd" and the operand "Eb" are not bytes.
  hex: /[0-9a-f]{2}(?![\w:,()])/,
  flags: /[rwu]:[OSZAPCDIT]+/,
  word: /[A-Za-z0-9_(),.]+/,
  bad: moo.error,
};

export type IsaTokenType = keyof typeof isaLexerRules;

/** A fresh lexer: moo lexers are stateful, one per file. */
export function makeIsaLexer(): moo.Lexer {
  return moo.compile(isaLexerRules);
}
