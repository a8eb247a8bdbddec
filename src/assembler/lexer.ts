/**
 * Token rules for assembler source (Intel syntax, the nasm subset btvm
 * accepts). One moo lexer per source text; syntax.ts groups the tokens of a
 * line into a statement. Numbers are one loose token here and are checked
 * and converted by parseNumber, so a malformed literal is reported with its
 * column instead of being split into odd tokens.
 */
import moo from 'moo';

export const asmLexerRules = {
  ws: /[ \t\r]+/,
  comment: /;[^\n]*/,
  nl: { match: /\n/, lineBreaks: true },
  string: /'[^'\n]*'|"[^"\n]*"|`[^`\n]*`/,
  number: /[0-9][0-9A-Za-z_]*/,
  selfSection: '$$',
  ident: /[A-Za-z_.?@][A-Za-z0-9_.?@$#~]*|\$[A-Za-z_.?@][A-Za-z0-9_.?@$#~]*/,
  here: '$',
  shl: '<<',
  shr: '>>',
  sdiv: '//',
  smod: '%%',
  punct: /[[\](),:+\-*/%&|^~]/,
  bad: moo.error,
};

export function makeAsmLexer(): moo.Lexer {
  return moo.compile(asmLexerRules);
}

/**
 * Parse a nasm numeric literal (0x1f, 1fh, 0b101, 101b, 0o17, 17q, 123,
 * 0d123) to a 64-bit value, as nasm evaluates expressions, or null if
 * malformed.
 */
export function parseNumber(text: string): bigint | null {
  const t = text.replace(/_/g, '').toLowerCase();
  let digits: string;
  let radix: number;
  if (/^0[xh][0-9a-f]+$/.test(t)) { digits = t.slice(2); radix = 16; }
  else if (/^[0-9][0-9a-f]*h$/.test(t)) { digits = t.slice(0, -1); radix = 16; }
  else if (/^0[by][01]+$/.test(t)) { digits = t.slice(2); radix = 2; }
  else if (/^[01]+[by]$/.test(t)) { digits = t.slice(0, -1); radix = 2; }
  else if (/^0[oq][0-7]+$/.test(t)) { digits = t.slice(2); radix = 8; }
  else if (/^[0-7]+[oq]$/.test(t)) { digits = t.slice(0, -1); radix = 8; }
  else if (/^0[dt][0-9]+$/.test(t)) { digits = t.slice(2); radix = 10; }
  else if (/^[0-9]+[dt]?$/.test(t)) { digits = t.replace(/[dt]$/, ''); radix = 10; }
  else return null;
  let v = 0n;
  const big = BigInt(radix);
  for (const ch of digits) v = v * big + BigInt(parseInt(ch, radix));
  return BigInt.asIntN(64, v);
}
