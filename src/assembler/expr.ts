/**
 * Constant expressions as nasm evaluates them: 64-bit integers with
 * + - * / // % %% << >> & | ^ ~, parentheses, `$` (this statement's
 * address), `$$` (its section's start), labels and character constants.
 *
 * Parsing happens once per line (parseExpr → Expr tree); evaluation happens
 * on every assembler pass against that pass's symbol values (evalExpr), so
 * forward references resolve as the passes converge. Each value also carries
 * `rel`, the net count of address terms in it: nasm treats an address (a
 * label, `$`) as relocatable and never shrinks its immediate or displacement
 * to a byte, while a difference of two addresses or an `equ` number is
 * "simple" and may be. Registers may appear as leaves inside memory
 * operands; modrm.ts linearises those trees.
 */
import { StatementError } from './errors.js';
import { parseNumber } from './lexer.js';
import { lookupRegister, type RegInfo } from './registers.js';
import type { TokenStream } from './token-stream.js';

export type Expr =
  | { readonly t: 'num'; readonly v: bigint }
  | { readonly t: 'sym'; readonly name: string; readonly col: number }
  | { readonly t: 'here' }
  | { readonly t: 'sectionStart' }
  | { readonly t: 'reg'; readonly reg: RegInfo; readonly col: number }
  | { readonly t: 'un'; readonly op: string; readonly a: Expr }
  | { readonly t: 'bin'; readonly op: string; readonly a: Expr; readonly b: Expr; readonly col: number };

export interface Value {
  readonly v: bigint;
  /** Net number of address terms: 0 = a plain number nasm may shrink to a byte. */
  readonly rel: number;
  /** False while some symbol in it is not yet defined (an early pass over a forward reference). */
  readonly known: boolean;
}

export interface SymbolLookup {
  /** A symbol's value, or undefined while not yet defined. */
  symbol(name: string): Value | undefined;
  readonly here: number;
  readonly sectionStart: number;
  /** The last pass: an undefined symbol is an error now, not a forward reference. */
  readonly final: boolean;
}

/** Operators by precedence level, loosest first (nasm's order). */
const LEVELS: readonly (readonly string[])[] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '//', '%', '%%']];

/** Qualifies `.local` names with the last non-local label, as nasm does. */
export interface LabelScope {
  qualify(name: string): string;
}

export function parseExpr(ts: TokenStream, scope: LabelScope, allowRegs = false): Expr {
  return parseLevel(ts, scope, allowRegs, 0);
}

function parseLevel(ts: TokenStream, scope: LabelScope, allowRegs: boolean, level: number): Expr {
  if (level === LEVELS.length) return parseUnary(ts, scope, allowRegs);
  let a = parseLevel(ts, scope, allowRegs, level + 1);
  for (;;) {
    const t = ts.peek();
    if (t === undefined || t.type === 'string' || !LEVELS[level]!.includes(t.text)) return a;
    ts.next();
    const b = parseLevel(ts, scope, allowRegs, level + 1);
    a = { t: 'bin', op: t.text, a, b, col: t.col };
  }
}

function parseUnary(ts: TokenStream, scope: LabelScope, allowRegs: boolean): Expr {
  const t = ts.next();
  if (t.type !== 'string' && (t.text === '-' || t.text === '+' || t.text === '~')) {
    return { t: 'un', op: t.text, a: parseUnary(ts, scope, allowRegs) };
  }
  if (t.text === '(' && t.type !== 'string') {
    const e = parseLevel(ts, scope, allowRegs, 0);
    ts.expect(')');
    return e;
  }
  switch (t.type) {
    case 'number': {
      const v = parseNumber(t.text);
      if (v === null) throw new StatementError(`malformed number '${t.text}'`, t.col);
      return { t: 'num', v };
    }
    case 'string':
      return { t: 'num', v: stringValue(t.text.slice(1, -1)) };
    case 'here':
      return { t: 'here' };
    case 'selfSection':
      return { t: 'sectionStart' };
    case 'ident': {
      const reg = lookupRegister(t.text);
      if (reg !== undefined) {
        if (!allowRegs) throw new StatementError(`register '${t.text}' is not allowed in an expression here`, t.col);
        return { t: 'reg', reg, col: t.col };
      }
      const name = t.text.startsWith('$') ? t.text.slice(1) : t.text;
      return { t: 'sym', name: scope.qualify(name), col: t.col };
    }
    default:
      throw new StatementError(`expected an expression but found '${t.text}'`, t.col);
  }
}

/** A character constant's value: bytes little-endian, as nasm reads 'ab' = 0x6261. */
export function stringValue(s: string): bigint {
  const bytes = Buffer.from(s, 'latin1');
  if (bytes.length > 8) throw new StatementError(`character constant '${s}' is longer than 8 bytes`);
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return BigInt.asIntN(64, v);
}

const COMPLEX = 1000;

export function evalExpr(e: Expr, env: SymbolLookup): Value {
  switch (e.t) {
    case 'num':
      return { v: e.v, rel: 0, known: true };
    case 'here':
      return { v: BigInt(env.here), rel: 1, known: true };
    case 'sectionStart':
      return { v: BigInt(env.sectionStart), rel: 1, known: true };
    case 'sym': {
      const s = env.symbol(e.name);
      if (s === undefined && env.final) throw new StatementError(`symbol '${e.name}' is not defined`, e.col);
      return s ?? { v: 0n, rel: 1, known: false };
    }
    case 'reg':
      throw new StatementError('register in a constant expression', e.col);
    case 'un': {
      const a = evalExpr(e.a, env);
      const v = e.op === '-' ? -a.v : e.op === '~' ? ~a.v : a.v;
      return { v: BigInt.asIntN(64, v), rel: e.op === '-' ? -a.rel : e.op === '~' && a.rel !== 0 ? COMPLEX : a.rel, known: a.known };
    }
    case 'bin': {
      const a = evalExpr(e.a, env);
      const b = evalExpr(e.b, env);
      const known = a.known && b.known;
      if (e.op === '+') return { v: BigInt.asIntN(64, a.v + b.v), rel: a.rel + b.rel, known };
      if (e.op === '-') return { v: BigInt.asIntN(64, a.v - b.v), rel: a.rel - b.rel, known };
      const rel = a.rel !== 0 || b.rel !== 0 ? COMPLEX : 0;
      return { v: binary(e.op, a.v, b.v, known, e.col), rel, known };
    }
  }
}

function binary(op: string, a: bigint, b: bigint, known: boolean, col: number): bigint {
  const ua = BigInt.asUintN(64, a);
  const ub = BigInt.asUintN(64, b);
  switch (op) {
    case '*': return BigInt.asIntN(64, a * b);
    case '/': case '//': case '%': case '%%':
      if (b === 0n) {
        if (!known) return 0n;
        throw new StatementError('division by zero', col);
      }
      // nasm: / and % are unsigned, // and %% signed.
      if (op === '/') return BigInt.asIntN(64, ua / ub);
      if (op === '%') return BigInt.asIntN(64, ua % ub);
      if (op === '//') return BigInt.asIntN(64, a / b);
      return BigInt.asIntN(64, a % b);
    case '<<': return BigInt.asIntN(64, a << (ub & 63n));
    case '>>': return BigInt.asIntN(64, ua >> (ub & 63n));
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    default: throw new StatementError(`unknown operator '${op}'`, col);
  }
}
