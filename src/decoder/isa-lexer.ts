/**
 * Token rules for isa/*.isa files (see docs/isa-format.md).
 *
 * A row is one line: encoding tokens, a mnemonic, an optional operand list
 * and attributes. The lexer only cuts lines into tokens; isa-parser.ts gives
 * them meaning and reports `file:line: error:` for anything malformed.
 *
 * Each token swallows the blanks after it (its value is trimmed): half as
 * many tokens to produce, which keeps table building cheap.
 *
 * moo is loaded on the first lexer request, not at import: a start-up that
 * finds the generated table snapshot (isa-snapshot.ts) never lexes, and
 * loading moo (a CommonJS module) alone costs several milliseconds.
 */
import { createRequire } from './builtins.js';
import type mooTypes from 'moo';

const trim = (s: string): string => s.trimEnd();

function rules(moo: typeof mooTypes): mooTypes.Rules {
  return {
    ws: /[ \t]+/,
    comment: /#[^\n]*/,
    nl: { match: /\r?\n/, lineBreaks: true },
    directive: { match: /@[a-z]+[ \t]*/, value: trim },
    modrm: { match: /\/[r0-7][ \t]*/, value: trim },
    plusr: { match: /\+r[ \t]*/, value: trim },
    // A lower-case hex byte standing alone: "fa" in "fadd" and the operand "Eb" are not bytes.
    hex: { match: /[0-9a-f]{2}(?![\w:,()])[ \t]*/, value: trim },
    flags: { match: /[rwu]:[OSZAPCDIT]+[ \t]*/, value: trim },
    word: { match: /[A-Za-z0-9_(),.]+[ \t]*/, value: trim },
    bad: moo.error,
  };
}

export type IsaTokenType = 'ws' | 'comment' | 'nl' | 'directive' | 'modrm' | 'plusr' | 'hex' | 'flags' | 'word' | 'bad';

let compiled: mooTypes.Lexer | null = null;

/** The lexer, compiled once; callers reset() it per file (files are parsed one at a time). */
export function makeIsaLexer(): mooTypes.Lexer {
  if (compiled === null) {
    const moo = createRequire(import.meta.url)('moo') as typeof mooTypes;
    compiled = moo.compile(rules(moo));
  }
  return compiled;
}
