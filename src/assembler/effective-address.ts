/**
 * Memory operands → ModRM/SIB/displacement, in 32- and 16-bit addressing,
 * choosing what nasm chooses.
 *
 * The bracket contents were parsed as one expression tree with registers as
 * leaves (syntax.ts); here it is linearised into `Σ coef·reg + constant`,
 * then split into base/index/scale: [eax*2] becomes [eax+eax] (nasm's
 * "split" unless `nosplit`), [eax+esp] swaps so esp is the base, [ebp]
 * needs a zero disp8, esp as base needs a SIB byte. The displacement is a
 * byte only when it is a known plain number in -128..127: an address
 * (label) always takes the full width, as nasm keeps it relocatable.
 */
import { StatementError } from './errors.js';
import { evalExpr, type Expr, type SymbolLookup, type Value } from './expr.js';
import type { RegInfo } from './registers.js';

export interface EffectiveAddress {
  readonly addrSize: 2 | 4;
  /** True when no register appears: the moffs forms (a0-a3) can take it. */
  readonly absolute: boolean;
  readonly disp: Value;
  readonly mod: number;
  readonly rm: number;
  /** SIB byte or -1. */
  readonly sib: number;
  readonly dispSize: 0 | 1 | 2 | 4;
}

interface Term {
  reg: RegInfo;
  coef: number;
}

const ZERO: Value = { v: 0n, rel: 0, known: true };

function addValues(a: Value, b: Value, sign: 1 | -1): Value {
  return { v: BigInt.asIntN(64, a.v + (sign === 1 ? b.v : -b.v)), rel: a.rel + sign * b.rel, known: a.known && b.known };
}

function hasReg(e: Expr): boolean {
  switch (e.t) {
    case 'reg': return true;
    case 'un': return hasReg(e.a);
    case 'bin': return hasReg(e.a) || hasReg(e.b);
    default: return false;
  }
}

/** Σ coef·reg + constant; terms keep the order registers were written in. */
function linearise(e: Expr, env: SymbolLookup, sign: 1 | -1, terms: Term[], acc: { c: Value }): void {
  if (!hasReg(e)) {
    acc.c = addValues(acc.c, evalExpr(e, env), sign);
    return;
  }
  switch (e.t) {
    case 'reg': {
      const t = terms.find((x) => x.reg === e.reg);
      if (t !== undefined) t.coef += sign; else terms.push({ reg: e.reg, coef: sign });
      return;
    }
    case 'un':
      if (e.op === '~') break;
      linearise(e.a, env, e.op === '-' ? (-sign as 1 | -1) : sign, terms, acc);
      return;
    case 'bin':
      if (e.op === '+' || e.op === '-') {
        linearise(e.a, env, sign, terms, acc);
        linearise(e.b, env, e.op === '-' ? (-sign as 1 | -1) : sign, terms, acc);
        return;
      }
      if (e.op === '*') {
        const [regSide, k] = hasReg(e.a) ? [e.a, e.b] : [e.b, e.a];
        if (hasReg(k) || regSide.t !== 'reg') break;
        const f = evalExpr(k, env);
        const t = terms.find((x) => x.reg === regSide.reg);
        const c = sign * Number(f.v);
        if (t !== undefined) t.coef += c; else terms.push({ reg: regSide.reg, coef: c });
        return;
      }
      break;
  }
  throw new StatementError('invalid effective address: registers may only be added, subtracted or scaled by a constant');
}

function fitsInt8(v: bigint): boolean {
  return v >= -128n && v <= 127n;
}

/**
 * Encode a memory operand. `defaultAddr` is the address size when no
 * register decides it (BITS, or an a16/a32 prefix); `forcedDisp` is nasm's
 * `[byte …]`/`[dword …]` displacement size (0 = choose).
 */
export function encodeEffectiveAddress(
  expr: Expr | null, env: SymbolLookup, defaultAddr: 2 | 4, nosplit: boolean, forcedDisp: number,
): EffectiveAddress {
  const terms: Term[] = [];
  const acc = { c: ZERO };
  if (expr !== null) linearise(expr, env, 1, terms, acc);
  const regs = terms.filter((t) => t.coef !== 0);
  const disp = acc.c;
  for (const t of regs) if (t.reg.cls !== 'gpr' || t.reg.size === 1) throw new StatementError('invalid effective address: only 16- or 32-bit general registers can address memory');
  let addrSize = defaultAddr;
  if (regs.length > 0) {
    addrSize = regs[0]!.reg.size as 2 | 4;
    if (regs.some((t) => t.reg.size !== addrSize)) throw new StatementError('invalid effective address: mixed 16- and 32-bit registers');
  }
  return addrSize === 4 ? ea32(regs, disp, nosplit, forcedDisp) : ea16(regs, disp, forcedDisp);
}

function chooseDisp(disp: Value, forced: number, zeroAllowed: boolean): 0 | 1 | 4 {
  if (forced === 1) return 1;
  if (forced === 4) return 4;
  if (forced !== 0) throw new StatementError('invalid displacement size');
  if (!disp.known || disp.rel !== 0) return 4;
  const v = BigInt.asIntN(32, disp.v);
  if (v === 0n && zeroAllowed) return 0;
  return fitsInt8(v) ? 1 : 4;
}

function ea32(regs: Term[], disp: Value, nosplit: boolean, forcedDisp: number): EffectiveAddress {
  let base = -1;
  let index = -1;
  let scale = 1;
  if (regs.length > 2) throw new StatementError('invalid effective address: more than two registers');
  const scaled = regs.filter((t) => t.coef !== 1);
  if (scaled.length > 1) throw new StatementError('invalid effective address: two scaled registers');
  if (regs.length === 1) {
    const t = regs[0]!;
    if (t.coef === 1) base = t.reg.num;
    else if (!nosplit && (t.coef === 2 || t.coef === 3 || t.coef === 5 || t.coef === 9)) {
      base = t.reg.num;
      index = t.reg.num;
      scale = t.coef - 1;
    } else {
      index = t.reg.num;
      scale = t.coef;
    }
  } else if (regs.length === 2) {
    const s = scaled[0];
    if (s !== undefined) {
      const b = regs.find((t) => t !== s)!;
      base = b.reg.num;
      index = s.reg.num;
      scale = s.coef;
    } else {
      base = regs[0]!.reg.num;
      index = regs[1]!.reg.num;
      if (index === 4) [base, index] = [index, base];
    }
  }
  if (index >= 0 && scale !== 1 && scale !== 2 && scale !== 4 && scale !== 8) throw new StatementError(`invalid effective address: scale ${scale}`);
  if (index === 4) throw new StatementError('invalid effective address: esp cannot be an index');
  if (base < 0 && index < 0) {
    if (forcedDisp !== 0 && forcedDisp !== 4) throw new StatementError('an absolute 32-bit address needs a dword displacement');
    return { addrSize: 4, absolute: true, disp, mod: 0, rm: 5, sib: -1, dispSize: 4 };
  }
  const ss = scale === 1 ? 0 : scale === 2 ? 1 : scale === 4 ? 2 : 3;
  if (base < 0) {
    if (forcedDisp !== 0 && forcedDisp !== 4) throw new StatementError('an index without a base needs a dword displacement');
    return { addrSize: 4, absolute: false, disp, mod: 0, rm: 4, sib: (ss << 6) | (index << 3) | 5, dispSize: 4 };
  }
  const dispSize = chooseDisp(disp, forcedDisp, base !== 5);
  const mod = dispSize === 0 ? 0 : dispSize === 1 ? 1 : 2;
  if (index < 0 && base !== 4) return { addrSize: 4, absolute: false, disp, mod, rm: base, sib: -1, dispSize };
  const sib = (ss << 6) | ((index < 0 ? 4 : index) << 3) | base;
  return { addrSize: 4, absolute: false, disp, mod, rm: 4, sib, dispSize };
}

/** 16-bit r/m codes by (bx|bp, si|di) presence: rm = RM16.get('base+index'). */
const RM16: ReadonlyMap<string, number> = new Map(Object.entries({ 'bx+si': 0, 'bx+di': 1, 'bp+si': 2, 'bp+di': 3, 'si': 4, 'di': 5, 'bp': 6, 'bx': 7 }));
const NAMES16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];

function ea16(regs: Term[], disp: Value, forcedDisp: number): EffectiveAddress {
  let b = '';
  let x = '';
  for (const t of regs) {
    const n = NAMES16[t.reg.num]!;
    if (t.coef !== 1) throw new StatementError('invalid effective address: 16-bit addressing cannot scale');
    if ((n === 'bx' || n === 'bp') && b === '') b = n;
    else if ((n === 'si' || n === 'di') && x === '') x = n;
    else throw new StatementError(`invalid 16-bit effective address (${regs.map((r) => NAMES16[r.reg.num]).join('+')})`);
  }
  if (b === '' && x === '') {
    if (forcedDisp !== 0 && forcedDisp !== 2) throw new StatementError('an absolute 16-bit address needs a word displacement');
    return { addrSize: 2, absolute: true, disp, mod: 0, rm: 6, sib: -1, dispSize: 2 };
  }
  const rm = RM16.get(b !== '' && x !== '' ? `${b}+${x}` : b || x)!;
  let dispSize: 0 | 1 | 2;
  if (forcedDisp === 1) dispSize = 1;
  else if (forcedDisp === 2) dispSize = 2;
  else if (forcedDisp !== 0) throw new StatementError('invalid displacement size for 16-bit addressing');
  else if (!disp.known || disp.rel !== 0) dispSize = 2;
  else {
    const v = BigInt.asIntN(16, disp.v);
    dispSize = v === 0n && rm !== 6 ? 0 : fitsInt8(v) ? 1 : 2;
  }
  const mod = dispSize === 0 ? 0 : dispSize === 1 ? 1 : 2;
  return { addrSize: 2, absolute: false, disp, mod, rm, sib: -1, dispSize };
}
