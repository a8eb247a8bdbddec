/**
 * Source text → statements: one Statement per line, parsed once.
 *
 * This file knows nasm's line shape — `label: prefixes mnemonic operands`,
 * directives, data, `times`, `equ` — and the operand syntax (registers,
 * `size [seg:base+index*scale+disp]`, `seg:expr`, immediates with
 * `byte/word/dword/strict/short/near/far`, `sel:offset` far pointers,
 * `st(i)`). It does not know encodings: which mnemonics exist comes from
 * mnemonics.ts through `isInstruction`, and everything that depends on
 * symbol values is left as Expr trees for the passes in assemble.ts.
 */
import { AssemblyError, StatementError } from './errors.js';
import { parseExpr, type Expr, type LabelScope } from './expr.js';
import { makeAsmLexer } from './lexer.js';
import { lookupRegister, type RegInfo } from './registers.js';
import { TokenStream, type Token } from './token-stream.js';

export const SIZE_WORDS: ReadonlyMap<string, number> = new Map([
  ['byte', 1], ['word', 2], ['dword', 4], ['fword', 6], ['qword', 8], ['tword', 10], ['oword', 16],
]);

export type OperandAst =
  | { readonly k: 'reg'; readonly reg: RegInfo; readonly col: number }
  | {
      readonly k: 'mem'; readonly size: number; readonly far: boolean; readonly seg: number; readonly expr: Expr | null;
      readonly nosplit: boolean; readonly dispSize: number; readonly col: number;
    }
  | {
      readonly k: 'imm'; readonly expr: Expr; readonly size: number; readonly strict: boolean;
      readonly jump: '' | 'short' | 'near' | 'far'; readonly col: number;
    }
  | { readonly k: 'far'; readonly sel: Expr; readonly off: Expr; readonly size: number; readonly col: number };

export interface InsnAst {
  readonly prefixes: readonly { readonly word: string; readonly col: number }[];
  readonly mnemonic: string;
  readonly col: number;
  readonly operands: readonly OperandAst[];
}

export type DataItem = { readonly k: 'string'; readonly bytes: Uint8Array } | { readonly k: 'expr'; readonly expr: Expr; readonly col: number };

export type Body =
  | { readonly k: 'none' }
  | { readonly k: 'insn'; readonly insn: InsnAst }
  | { readonly k: 'data'; readonly unit: number; readonly items: readonly DataItem[] }
  | { readonly k: 'reserve'; readonly unit: number; readonly count: Expr }
  | { readonly k: 'times'; readonly count: Expr; readonly body: Body; readonly col: number }
  | { readonly k: 'equ'; readonly expr: Expr }
  | { readonly k: 'bits'; readonly bits: 16 | 32 }
  | { readonly k: 'org'; readonly expr: Expr }
  | { readonly k: 'section'; readonly name: string }
  | { readonly k: 'align'; readonly expr: Expr; readonly fill: Expr | null; readonly reserve: boolean };

export interface Statement {
  readonly line: number;
  readonly label: { readonly name: string; readonly col: number } | null;
  readonly body: Body;
  readonly col: number;
}

const DATA_UNITS: ReadonlyMap<string, number> = new Map([['db', 1], ['dw', 2], ['dd', 4], ['dq', 8]]);
const RES_UNITS: ReadonlyMap<string, number> = new Map([['resb', 1], ['resw', 2], ['resd', 4], ['resq', 8]]);
const IGNORED_DIRECTIVES = new Set(['global', 'extern', 'cpu', 'default', 'absolute', 'common']);
const DIRECTIVES = new Set([
  ...DATA_UNITS.keys(), ...RES_UNITS.keys(), 'times', 'equ', 'bits', 'use16', 'use32', 'org', 'section', 'segment',
  'align', 'alignb', ...IGNORED_DIRECTIVES,
]);
const SEG_PREFIX: ReadonlyMap<string, number> = new Map([['es', 0], ['cs', 1], ['ss', 2], ['ds', 3], ['fs', 4], ['gs', 5]]);

/** What syntax.ts needs from the instruction tables: is this word a mnemonic or an instruction prefix? */
export interface WordClassifier {
  isMnemonic(word: string): boolean;
  isPrefix(word: string): boolean;
}

class Scope implements LabelScope {
  last = '';
  qualify(name: string): string {
    return name.startsWith('.') && !name.startsWith('..') ? this.last + name : name;
  }
}

/** Parse a whole source. Throws AssemblyError at the first malformed line. */
export function parseSource(file: string, source: string, words: WordClassifier): Statement[] {
  const lexer = makeAsmLexer();
  lexer.reset(source.endsWith('\n') ? source : source + '\n');
  const out: Statement[] = [];
  const scope = new Scope();
  let toks: Token[] = [];
  let lineNo = 1;
  let lineLen = 0;
  const lines = source.split('\n');
  for (const t of lexer) {
    if (t.type === 'bad') throw new AssemblyError(file, t.line, t.col, `unexpected character '${t.text[0]}'`);
    if (t.type === 'nl') {
      lineLen = (lines[lineNo - 1] ?? '').length;
      if (toks.length > 0) {
        try {
          out.push(parseLine(new TokenStream(toks, lineLen + 1), lineNo, scope, words));
        } catch (e) {
          if (e instanceof StatementError) throw new AssemblyError(file, lineNo, e.column || 1, e.message);
          throw e;
        }
      }
      toks = [];
      lineNo = t.line + 1;
      continue;
    }
    if (t.type === 'ws' || t.type === 'comment') continue;
    toks.push({ type: t.type!, text: t.value, col: t.col });
  }
  return out;
}

function parseLine(ts: TokenStream, line: number, scope: Scope, words: WordClassifier): Statement {
  // `[bits 32]`, `[org 0x7c00]`, `[section .text]`: nasm's primitive-directive brackets.
  const first = ts.peek()!;
  if (first.text === '[' && ts.peek(1)?.type === 'ident' && DIRECTIVES.has(ts.peek(1)!.text.toLowerCase())) {
    const inner = ts.toks.slice(1, ts.toks[ts.toks.length - 1]?.text === ']' ? -1 : undefined);
    if (ts.toks[ts.toks.length - 1]?.text !== ']') throw new StatementError("expected ']'", ts.endCol);
    return parseLine(new TokenStream(inner, ts.endCol), line, scope, words);
  }
  let label: Statement['label'] = null;
  if (first.type === 'ident' && !lookupRegister(first.text)) {
    const lower = first.text.toLowerCase();
    const next = ts.peek(1);
    const isWord = words.isMnemonic(lower) || words.isPrefix(lower) || DIRECTIVES.has(lower);
    if (next?.text === ':' && next.type === 'punct') {
      ts.next();
      ts.next();
      label = { name: defineLabel(first.text, scope), col: first.col };
    } else if (!isWord && (next === undefined || (next.type === 'ident' && isDirectiveOrWord(next.text, words)))) {
      ts.next();
      label = { name: defineLabel(first.text, scope), col: first.col };
    }
  }
  if (ts.atEnd()) return { line, label, body: { k: 'none' }, col: first.col };
  const col = ts.col();
  const body = parseBody(ts, scope, words, label !== null);
  if (!ts.atEnd()) throw new StatementError(`unexpected '${ts.peek()!.text}' after the statement`, ts.col());
  if (body.k === 'equ' && label === null) throw new StatementError('equ needs a label', col);
  return { line, label, body, col };
}

function isDirectiveOrWord(w: string, words: WordClassifier): boolean {
  const lower = w.toLowerCase();
  return DIRECTIVES.has(lower) || words.isMnemonic(lower) || words.isPrefix(lower);
}

function defineLabel(text: string, scope: Scope): string {
  const name = text.startsWith('$') ? text.slice(1) : text;
  if (name.startsWith('.') && !name.startsWith('..')) {
    if (scope.last === '') throw new StatementError(`local label '${name}' before any non-local label`);
    return scope.last + name;
  }
  scope.last = name;
  return name;
}

function parseBody(ts: TokenStream, scope: Scope, words: WordClassifier, hasLabel: boolean): Body {
  const t = ts.peek()!;
  if (t.type !== 'ident') throw new StatementError(`expected an instruction or directive, found '${t.text}'`, t.col);
  const w = t.text.toLowerCase();
  if (DIRECTIVES.has(w)) {
    ts.next();
    const unit = DATA_UNITS.get(w);
    if (unit !== undefined) return { k: 'data', unit, items: parseDataItems(ts, scope) };
    const res = RES_UNITS.get(w);
    if (res !== undefined) return { k: 'reserve', unit: res, count: parseExpr(ts, scope) };
    switch (w) {
      case 'times': {
        const count = parseExpr(ts, scope);
        if (ts.atEnd()) throw new StatementError('times needs something to repeat', ts.col());
        return { k: 'times', count, body: parseBody(ts, scope, words, hasLabel), col: t.col };
      }
      case 'equ':
        return { k: 'equ', expr: parseExpr(ts, scope) };
      case 'bits': {
        const n = ts.next();
        if (n.text !== '16' && n.text !== '32') throw new StatementError(`bits must be 16 or 32, not '${n.text}'`, n.col);
        return { k: 'bits', bits: n.text === '16' ? 16 : 32 };
      }
      case 'use16': return { k: 'bits', bits: 16 };
      case 'use32': return { k: 'bits', bits: 32 };
      case 'org': return { k: 'org', expr: parseExpr(ts, scope) };
      case 'section': case 'segment': {
        const n = ts.next();
        if (n.type !== 'ident') throw new StatementError(`expected a section name, found '${n.text}'`, n.col);
        // Attributes (align=, progbits, vstart=…) are accepted and ignored: sections are laid out flat.
        while (!ts.atEnd()) ts.next();
        return { k: 'section', name: n.text };
      }
      case 'align': case 'alignb': {
        const expr = parseExpr(ts, scope);
        let fill: Expr | null = null;
        if (ts.accept(',')) {
          ts.acceptWord('db'); // `align 16, db 0`: nasm's fill is written as a db
          fill = parseExpr(ts, scope);
        }
        return { k: 'align', expr, fill, reserve: w === 'alignb' };
      }
      default:
        while (!ts.atEnd()) ts.next();
        return { k: 'none' };
    }
  }
  return { k: 'insn', insn: parseInsn(ts, scope, words) };
}

function parseDataItems(ts: TokenStream, scope: Scope): DataItem[] {
  const items: DataItem[] = [];
  do {
    const t = ts.peek();
    if (t === undefined) throw new StatementError('expected data after the directive', ts.col());
    const after = ts.peek(1);
    if (t.type === 'string' && (after === undefined || after.text === ',')) {
      ts.next();
      items.push({ k: 'string', bytes: new Uint8Array(Buffer.from(t.text.slice(1, -1), 'latin1')) });
    } else {
      items.push({ k: 'expr', expr: parseExpr(ts, scope), col: t.col });
    }
  } while (ts.accept(','));
  return items;
}

function parseInsn(ts: TokenStream, scope: Scope, words: WordClassifier): InsnAst {
  const prefixes: { word: string; col: number }[] = [];
  for (;;) {
    const t = ts.next();
    const w = t.text.toLowerCase();
    if (t.type !== 'ident') throw new StatementError(`expected an instruction, found '${t.text}'`, t.col);
    if (words.isPrefix(w) || (SEG_PREFIX.has(w) && !ts.atEnd() && ts.peek()!.type === 'ident')) {
      prefixes.push({ word: w, col: t.col });
      if (ts.atEnd()) throw new StatementError(`prefix '${t.text}' without an instruction`, t.col);
      continue;
    }
    if (!words.isMnemonic(w)) throw new StatementError(`unknown instruction '${t.text}'`, t.col);
    const operands: OperandAst[] = [];
    if (!ts.atEnd()) {
      do operands.push(parseOperand(ts, scope)); while (ts.accept(','));
    }
    return { prefixes, mnemonic: w, col: t.col, operands };
  }
}

function parseOperand(ts: TokenStream, scope: Scope): OperandAst {
  const col = ts.col();
  let size = 0;
  let strict = false;
  let jump: '' | 'short' | 'near' | 'far' = '';
  for (;;) {
    const t = ts.peek();
    if (t?.type !== 'ident') break;
    const w = t.text.toLowerCase();
    const s = SIZE_WORDS.get(w);
    if (s !== undefined) size = s;
    else if (w === 'strict') strict = true;
    else if (w === 'short' || w === 'near' || w === 'far') jump = w;
    else break;
    ts.next();
  }
  const t = ts.peek();
  if (t === undefined) throw new StatementError('expected an operand', ts.col());
  if (t.text === '[' && t.type === 'punct') return parseMemory(ts, scope, size, jump === 'far', -1, col);
  if (t.type === 'ident') {
    const lower = t.text.toLowerCase();
    const seg = SEG_PREFIX.get(lower);
    if (seg !== undefined && ts.peek(1)?.text === ':') {
      // `es:[edi]` or `fs:0x10`: a segment-qualified memory operand.
      ts.next();
      ts.next();
      if (ts.peek()?.text === '[') return parseMemory(ts, scope, size, jump === 'far', seg, col);
      return { k: 'mem', size, far: jump === 'far', seg, expr: parseExpr(ts, scope), nosplit: false, dispSize: 0, col };
    }
    if (lower === 'st' && ts.peek(1)?.text === '(') {
      ts.next();
      ts.next();
      const n = ts.next();
      ts.expect(')');
      const reg = /^[0-7]$/.test(n.text) ? lookupRegister(`st${n.text}`) : undefined;
      if (reg === undefined) throw new StatementError(`bad x87 register st(${n.text})`, n.col);
      return { k: 'reg', reg, col };
    }
    const reg = lookupRegister(t.text);
    if (reg !== undefined) {
      ts.next();
      if (size !== 0 && size !== reg.size && reg.cls === 'gpr') throw new StatementError(`mismatch in operand sizes: '${t.text}' is not ${sizeName(size)}`, col);
      return { k: 'reg', reg, col };
    }
  }
  const expr = parseExpr(ts, scope);
  if (ts.peek()?.text === ':') {
    ts.next();
    return { k: 'far', sel: expr, off: parseExpr(ts, scope), size, col };
  }
  return { k: 'imm', expr, size, strict, jump, col };
}

function parseMemory(ts: TokenStream, scope: Scope, size: number, far: boolean, outerSeg: number, col: number): OperandAst {
  ts.expect('[');
  let seg = outerSeg;
  let nosplit = false;
  let dispSize = 0;
  for (;;) {
    const t = ts.peek();
    if (t?.type !== 'ident') break;
    const w = t.text.toLowerCase();
    if (w === 'nosplit') nosplit = true;
    else if (w === 'byte' || w === 'word' || w === 'dword') dispSize = SIZE_WORDS.get(w)!;
    else if (SEG_PREFIX.has(w) && ts.peek(1)?.text === ':') {
      seg = SEG_PREFIX.get(w)!;
      ts.next();
    } else break;
    ts.next();
  }
  let expr: Expr | null = null;
  if (ts.peek()?.text !== ']') expr = parseExpr(ts, scope, true);
  ts.expect(']');
  return { k: 'mem', size, far, seg, expr, nosplit, dispSize, col };
}

export function sizeName(size: number): string {
  for (const [k, v] of SIZE_WORDS) if (v === size) return k;
  return `${size}-byte`;
}
