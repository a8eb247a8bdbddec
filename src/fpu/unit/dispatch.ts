/**
 * The x87 unit's entry point: one call per executed x87 instruction.
 *
 * The translator lifts each D8–DF instruction into a call
 *   executeX87(unit, op, la, ea, eip)
 * where `op` is a translation-time constant made by `x87Op` (the opcode's
 * 11-bit FOP, operand size and segment register), `la` the memory operand's
 * linear address and `ea` its offset within the segment (both computed by
 * generated code; ignored by register forms), and `eip` the instruction's
 * address (which FIP records). A fwait byte decoded with the instruction
 * (`9b d9 /7` = fstcw) is a separate `executeFwait` call first.
 *
 * The result says whether the instruction ran:
 *   X87_DONE        it ran (it may have raised a masked or unmasked
 *                   exception; `unit.errorRaised` tells the VMM to assert
 *                   FERR# when CR0.NE=0);
 *   X87_MF_PENDING  a waiting instruction met an unmasked exception left
 *                   pending by an earlier one: nothing ran, deliver #MF at
 *                   this instruction (CR0.NE=1) or wait for IRQ13's handler
 *                   (NE=0);
 *   X87_UNDEFINED   not an x87 encoding the unit knows: #UD.
 * Memory faults are thrown by the memory layer before anything changed.
 * #NM (CR0.TS/EM) is the caller's check, made before calling.
 *
 * Which instructions wait, and which record FIP/FCS/FOP (and FDP/FDS for a
 * memory operand), was measured on the host: the control instructions
 * (fninit, fnclex, fldcw, fnstcw, fnstsw, fldenv, fnstenv, frstor, fnsave)
 * record nothing; every other form, fnop included, records its pointer even
 * when it raises an exception. A register form leaves FDP/FDS as they were.
 */
import { ES } from '../float80.js';
import { arithMemory, arithRegister } from './arithmetic.js';
import { fcomi, fcomMemory, fcomRegister, ftst, fxam } from './compare.js';
import { fldcw, fnclex, fninit, fnstcwTo, fnstswAx, fnstswTo } from './control.js';
import {
  f2xm180, fcos80, fpatan80, fptan80, frndint80, fscale80, fsin80, fsincos80, fxtract80, fyl2x80, fyl2xp180, sqrt80,
} from './core.js';
import { fldenv, fnsave, fnstenv, frstor } from './environment.js';
import { fbld, fbstp, fild, fistInt, fldReal, fstReal, IntSize, RealSize } from './load-store.js';
import { readInt16, readInt32, readReal32, readReal64 } from './memory-operands.js';
import { EFLAGS_CF, EFLAGS_PF, EFLAGS_ZF } from './ports.js';
import { fcmov, ffree, fldConstant, fldSt, fsign, fstp1, fstSt, fxch, moveTop, X87Constant } from './register-moves.js';
import { fprem, intoSt1AndPop, onSt0, onSt0WithSt1, replaceAndPush } from './stack-operations.js';
import type { X87Unit } from './x87-unit.js';

export const X87_DONE = 0;
export const X87_MF_PENDING = 1;
export const X87_UNDEFINED = 2;

/** `op` for executeX87: opcode byte D8..DF, its ModRM byte, the operand size (2 or 4) and the memory operand's segment register. */
export function x87Op(opcode: number, modrm: number, opSize: number, seg: number): number {
  return ((opcode & 7) << 8) | (modrm & 0xff) | (opSize === 2 ? 0x800 : 0) | ((seg & 7) << 12);
}

/** What a form is: one case of executeX87's switch. */
const enum K {
  Undefined = 0,
  // Memory forms.
  ArithR32, ArithI32, ArithR64, ArithI16,
  FldR32, FldR64, FldR80, FildI16, FildI32, FildI64, Fbld,
  FstR32, FstpR32, FstR64, FstpR64, FstpR80,
  FistI16, FistpI16, FisttpI16, FistI32, FistpI32, FisttpI32, FistpI64, FisttpI64, Fbstp,
  Fldenv, Fnstenv, Frstor, Fnsave, Fldcw, Fnstcw, FnstswM,
  // Register forms.
  ArithToSt0, ArithToSti, ArithPop, Fcompp,
  FldSt, Fxch, Fnop, FstSt, FstpSt, Fstp1, Fchs, Fabs, Ftst, Fxam, Const,
  F2xm1, Fyl2x, Fptan, Fpatan, Fxtract, Fprem1, Fdecstp, Fincstp, Fprem, Fyl2xp1, Fsqrt, Fsincos, Frndint, Fscale,
  Fsin, Fcos,
  Fcmov, Fcmovn, Fucompp, NopNoWait, Fnclex, Fninit, Fucomi, Fcomi, Ffree, Fucom, Fucomp, Ffreep, FnstswAx,
  Fucomip, Fcomip,
  Count,
}

const KIND = new Uint8Array(2048);
/** Per kind: WAITS (checks for a pending exception first), POINTERS (records FIP/FCS/FOP). */
const ATTR = new Uint8Array(K.Count);
const WAITS = 1;
const POINTERS = 2;

function memoryForm(opcode: number, reg: number, kind: K): void {
  for (let mod = 0; mod < 3; mod++) for (let rm = 0; rm < 8; rm++) KIND[((opcode & 7) << 8) | (mod << 6) | (reg << 3) | rm] = kind;
}

function registerForms(opcode: number, firstModrm: number, count: number, kind: K): void {
  for (let i = 0; i < count; i++) KIND[((opcode & 7) << 8) | (firstModrm + i)] = kind;
}

function buildTables(): void {
  for (let reg = 0; reg < 8; reg++) {
    memoryForm(0xd8, reg, K.ArithR32);
    memoryForm(0xda, reg, K.ArithI32);
    memoryForm(0xdc, reg, K.ArithR64);
    memoryForm(0xde, reg, K.ArithI16);
  }
  const mem: [number, number, K][] = [
    [0xd9, 0, K.FldR32], [0xd9, 2, K.FstR32], [0xd9, 3, K.FstpR32], [0xd9, 4, K.Fldenv], [0xd9, 5, K.Fldcw],
    [0xd9, 6, K.Fnstenv], [0xd9, 7, K.Fnstcw],
    [0xdb, 0, K.FildI32], [0xdb, 1, K.FisttpI32], [0xdb, 2, K.FistI32], [0xdb, 3, K.FistpI32], [0xdb, 5, K.FldR80],
    [0xdb, 7, K.FstpR80],
    [0xdd, 0, K.FldR64], [0xdd, 1, K.FisttpI64], [0xdd, 2, K.FstR64], [0xdd, 3, K.FstpR64], [0xdd, 4, K.Frstor],
    [0xdd, 6, K.Fnsave], [0xdd, 7, K.FnstswM],
    [0xdf, 0, K.FildI16], [0xdf, 1, K.FisttpI16], [0xdf, 2, K.FistI16], [0xdf, 3, K.FistpI16], [0xdf, 4, K.Fbld],
    [0xdf, 5, K.FildI64], [0xdf, 6, K.Fbstp], [0xdf, 7, K.FistpI64],
  ];
  for (const [opcode, reg, kind] of mem) memoryForm(opcode, reg, kind);

  registerForms(0xd8, 0xc0, 64, K.ArithToSt0);
  registerForms(0xdc, 0xc0, 64, K.ArithToSti);
  registerForms(0xde, 0xc0, 64, K.ArithPop);
  registerForms(0xde, 0xd8, 8, K.Undefined);
  registerForms(0xde, 0xd9, 1, K.Fcompp);
  registerForms(0xd9, 0xc0, 8, K.FldSt);
  registerForms(0xd9, 0xc8, 8, K.Fxch);
  registerForms(0xd9, 0xd0, 1, K.Fnop);
  registerForms(0xd9, 0xd8, 8, K.Fstp1); // fstp1: an alias the hardware executes, its own way with an empty ST(0)
  const d9: [number, K][] = [
    [0xe0, K.Fchs], [0xe1, K.Fabs], [0xe4, K.Ftst], [0xe5, K.Fxam],
    [0xf0, K.F2xm1], [0xf1, K.Fyl2x], [0xf2, K.Fptan], [0xf3, K.Fpatan], [0xf4, K.Fxtract], [0xf5, K.Fprem1],
    [0xf6, K.Fdecstp], [0xf7, K.Fincstp], [0xf8, K.Fprem], [0xf9, K.Fyl2xp1], [0xfa, K.Fsqrt], [0xfb, K.Fsincos],
    [0xfc, K.Frndint], [0xfd, K.Fscale], [0xfe, K.Fsin], [0xff, K.Fcos],
  ];
  for (const [modrm, kind] of d9) registerForms(0xd9, modrm, 1, kind);
  registerForms(0xd9, 0xe8, 7, K.Const);
  registerForms(0xda, 0xc0, 32, K.Fcmov);
  registerForms(0xda, 0xe9, 1, K.Fucompp);
  registerForms(0xdb, 0xc0, 32, K.Fcmovn);
  registerForms(0xdb, 0xe0, 2, K.NopNoWait); // fneni, fndisi: 8087 leftovers, no-ops since the 287
  registerForms(0xdb, 0xe2, 1, K.Fnclex);
  registerForms(0xdb, 0xe3, 1, K.Fninit);
  registerForms(0xdb, 0xe4, 1, K.NopNoWait); // fnsetpm
  registerForms(0xdb, 0xe8, 8, K.Fucomi);
  registerForms(0xdb, 0xf0, 8, K.Fcomi);
  registerForms(0xdd, 0xc0, 8, K.Ffree);
  registerForms(0xdd, 0xc8, 8, K.Fxch); // fxch4
  registerForms(0xdd, 0xd0, 8, K.FstSt);
  registerForms(0xdd, 0xd8, 8, K.FstpSt);
  registerForms(0xdd, 0xe0, 8, K.Fucom);
  registerForms(0xdd, 0xe8, 8, K.Fucomp);
  registerForms(0xdf, 0xc0, 8, K.Ffreep);
  registerForms(0xdf, 0xc8, 8, K.Fxch); // fxch7
  registerForms(0xdf, 0xd0, 16, K.FstpSt); // fstp8, fstp9
  registerForms(0xdf, 0xe0, 1, K.FnstswAx);
  registerForms(0xdf, 0xe8, 8, K.Fucomip);
  registerForms(0xdf, 0xf0, 8, K.Fcomip);

  ATTR.fill(WAITS | POINTERS);
  ATTR[K.Undefined] = 0;
  for (const k of [K.Fnstenv, K.Fnsave, K.Fnstcw, K.FnstswM, K.FnstswAx, K.Fnclex, K.Fninit, K.NopNoWait]) ATTR[k] = 0;
  for (const k of [K.Fldenv, K.Frstor, K.Fldcw]) ATTR[k] = WAITS;
}
buildTables();

/** fwait / wait (9B): X87_MF_PENDING when an unmasked exception is pending, else X87_DONE. */
export function executeFwait(u: X87Unit): number {
  return (u.s.sw & ES) !== 0 && !u.ignorePending ? X87_MF_PENDING : X87_DONE;
}

/** True for the fcmovcc condition numbered `cc` (ModRM.reg: b, e, be, u) under `eflags`. */
function fcmovCondition(cc: number, eflags: number): boolean {
  switch (cc & 3) {
    case 0: return (eflags & EFLAGS_CF) !== 0;
    case 1: return (eflags & EFLAGS_ZF) !== 0;
    case 2: return (eflags & (EFLAGS_CF | EFLAGS_ZF)) !== 0;
    default: return (eflags & EFLAGS_PF) !== 0;
  }
}

/** Memory forms of D8/DA/DC/DE: the operand read and widened into u.tmp, then arithmetic or compare by ModRM.reg. */
function arithmeticWithMemory(u: X87Unit, kind: K, reg: number, la: number): void {
  let exc = 0;
  if (kind === K.ArithR32) exc = readReal32(u.mem, la, u.tmp, 0);
  else if (kind === K.ArithR64) exc = readReal64(u.mem, la, u.tmp, 0);
  else if (kind === K.ArithI32) readInt32(u.mem, la, u.tmp, 0);
  else readInt16(u.mem, la, u.tmp, 0);
  if (reg === 2 || reg === 3) fcomMemory(u, reg - 2, exc !== 0);
  else arithMemory(u, reg, exc !== 0);
}

/** Runs one x87 instruction; see the file comment for the arguments and the result. */
export function executeX87(u: X87Unit, op: number, la: number, ea: number, eip: number): number {
  const fop = op & 0x7ff;
  const kind = KIND[fop]! as K;
  const attr = ATTR[kind]!;
  if ((attr & WAITS) !== 0 && (u.s.sw & ES) !== 0 && !u.ignorePending) return X87_MF_PENDING;
  const o32 = (op & 0x800) === 0;
  const reg = (fop >>> 3) & 7;
  const i = fop & 7;
  switch (kind) {
    case K.Undefined: return X87_UNDEFINED;
    case K.ArithR32: case K.ArithI32: case K.ArithR64: case K.ArithI16: arithmeticWithMemory(u, kind, reg, la); break;
    case K.FldR32: fldReal(u, la, RealSize.M32); break;
    case K.FldR64: fldReal(u, la, RealSize.M64); break;
    case K.FldR80: fldReal(u, la, RealSize.M80); break;
    case K.FildI16: fild(u, la, IntSize.M16); break;
    case K.FildI32: fild(u, la, IntSize.M32); break;
    case K.FildI64: fild(u, la, IntSize.M64); break;
    case K.Fbld: fbld(u, la); break;
    case K.FstR32: fstReal(u, la, RealSize.M32, false); break;
    case K.FstpR32: fstReal(u, la, RealSize.M32, true); break;
    case K.FstR64: fstReal(u, la, RealSize.M64, false); break;
    case K.FstpR64: fstReal(u, la, RealSize.M64, true); break;
    case K.FstpR80: fstReal(u, la, RealSize.M80, true); break;
    case K.FistI16: fistInt(u, la, IntSize.M16, false, false); break;
    case K.FistpI16: fistInt(u, la, IntSize.M16, true, false); break;
    case K.FisttpI16: fistInt(u, la, IntSize.M16, true, true); break;
    case K.FistI32: fistInt(u, la, IntSize.M32, false, false); break;
    case K.FistpI32: fistInt(u, la, IntSize.M32, true, false); break;
    case K.FisttpI32: fistInt(u, la, IntSize.M32, true, true); break;
    case K.FistpI64: fistInt(u, la, IntSize.M64, true, false); break;
    case K.FisttpI64: fistInt(u, la, IntSize.M64, true, true); break;
    case K.Fbstp: fbstp(u, la); break;
    case K.Fldenv: fldenv(u, la, o32); break;
    case K.Fnstenv: fnstenv(u, la, o32); break;
    case K.Frstor: frstor(u, la, o32); break;
    case K.Fnsave: fnsave(u, la, o32); break;
    case K.Fldcw: fldcw(u, u.mem.read16(la)); break;
    case K.Fnstcw: fnstcwTo(u, la); break;
    case K.FnstswM: fnstswTo(u, la); break;
    case K.ArithToSt0: case K.ArithToSti: case K.ArithPop:
      if (reg === 2 || reg === 3) fcomRegister(u, i, kind === K.ArithPop ? 1 : reg - 2, false);
      else arithRegister(u, reg, i, kind === K.ArithToSt0, kind === K.ArithPop);
      break;
    case K.Fcompp: fcomRegister(u, 1, 2, false); break;
    case K.Fucompp: fcomRegister(u, 1, 2, true); break;
    case K.Fucom: fcomRegister(u, i, 0, true); break;
    case K.Fucomp: fcomRegister(u, i, 1, true); break;
    case K.FldSt: fldSt(u, i); break;
    case K.Fxch: fxch(u, i); break;
    case K.Fnop: case K.NopNoWait: break;
    case K.FstSt: fstSt(u, i, false); break;
    case K.FstpSt: fstSt(u, i, true); break;
    case K.Fstp1: fstp1(u, i); break;
    case K.Fchs: fsign(u, true); break;
    case K.Fabs: fsign(u, false); break;
    case K.Ftst: ftst(u); break;
    case K.Fxam: fxam(u); break;
    case K.Const: fldConstant(u, CONSTANT_BY_MODRM[i]!); break;
    case K.F2xm1: onSt0(u, f2xm180, false); break;
    case K.Fyl2x: intoSt1AndPop(u, fyl2x80); break;
    case K.Fptan: replaceAndPush(u, fptan80, true); break;
    case K.Fpatan: intoSt1AndPop(u, fpatan80); break;
    case K.Fxtract: replaceAndPush(u, fxtract80, false); break;
    case K.Fprem1: fprem(u, true); break;
    case K.Fdecstp: moveTop(u, -1); break;
    case K.Fincstp: moveTop(u, 1); break;
    case K.Fprem: fprem(u, false); break;
    case K.Fyl2xp1: intoSt1AndPop(u, fyl2xp180); break;
    case K.Fsqrt: onSt0(u, sqrt80, false); break;
    case K.Fsincos: replaceAndPush(u, fsincos80, true); break;
    case K.Frndint: onSt0(u, frndint80, false); break;
    case K.Fscale: onSt0WithSt1(u, fscale80); break;
    case K.Fsin: onSt0(u, fsin80, true); break;
    case K.Fcos: onSt0(u, fcos80, true); break;
    case K.Fcmov: fcmov(u, i, fcmovCondition(reg, u.cpu.eflags())); break;
    case K.Fcmovn: fcmov(u, i, !fcmovCondition(reg, u.cpu.eflags())); break;
    case K.Fnclex: fnclex(u); break;
    case K.Fninit: fninit(u); break;
    case K.Fucomi: fcomi(u, i, false, true); break;
    case K.Fcomi: fcomi(u, i, false, false); break;
    case K.Fucomip: fcomi(u, i, true, true); break;
    case K.Fcomip: fcomi(u, i, true, false); break;
    case K.Ffree: ffree(u, i, false); break;
    case K.Ffreep: ffree(u, i, true); break;
    case K.FnstswAx: fnstswAx(u); break;
  }
  if ((attr & POINTERS) !== 0) {
    const s = u.s;
    s.fip = eip;
    s.fcs = u.cpu.selector(1);
    s.fop = fop;
    if ((fop & 0xc0) !== 0xc0) {
      s.fdp = ea;
      s.fds = u.cpu.selector((op >>> 12) & 7);
    }
  }
  return X87_DONE;
}

/** d9 e8..ee: fld1 fldl2t fldl2e fldpi fldlg2 fldln2 fldz. */
const CONSTANT_BY_MODRM: readonly X87Constant[] = [
  X87Constant.ONE, X87Constant.L2T, X87Constant.L2E, X87Constant.PI, X87Constant.LG2, X87Constant.LN2, X87Constant.ZERO,
];
