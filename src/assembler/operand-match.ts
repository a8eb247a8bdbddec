/**
 * Does one written operand fit one isa/ operand specifier, at a given
 * operand size — and if so, what does it contribute to the encoding?
 *
 * The encoder (encoder.ts) calls matchOperand for every (form, operand
 * size, operand) triple; a match fills a Draft: the ModRM reg field, the r/m
 * register or effective address, a +r register, immediates in order, a
 * relative-branch target. It also records what nasm's size rules need:
 * whether the operand pinned the operand size (a register, a sized memory
 * reference, `word 1`), and the size an unsized memory operand was taken
 * at, so `inc [eax]` can be refused as nasm refuses it.
 */
import { OpKind, SZ_A, SZ_P, SZ_V, type OperandSpec } from '../decoder/operand-specs.js';
import type { EffectiveAddress } from './effective-address.js';
import type { Value } from './expr.js';
import type { RegInfo } from './registers.js';

export type Resolved =
  | { readonly k: 'reg'; readonly reg: RegInfo }
  | { readonly k: 'mem'; readonly size: number; readonly far: boolean; readonly seg: number; readonly ea: EffectiveAddress; readonly forcedDisp: number }
  | { readonly k: 'imm'; readonly val: Value; readonly size: number; readonly strict: boolean; readonly jump: '' | 'short' | 'near' | 'far' }
  | { readonly k: 'far'; readonly sel: Value; readonly off: Value; readonly size: number };

export interface ImmField {
  readonly value: bigint;
  readonly size: number;
}

export interface Draft {
  regField: number;
  rmReg: number;
  ea: EffectiveAddress | null;
  /** Segment override from a memory operand, or -1. */
  seg: number;
  plusR: number;
  imms: ImmField[];
  jump: { readonly target: Value; readonly size: number; readonly short: boolean } | null;
  pinned: boolean;
  /** Size an unsized memory operand was taken at (0 = none). */
  unsizedMem: number;
  usesIbs: boolean;
  /** A moffs operand (O): its address is written like an immediate. */
  moffs: EffectiveAddress | null;
}

export function newDraft(): Draft {
  return { regField: -1, rmReg: -1, ea: null, seg: -1, plusR: -1, imms: [], jump: null, pinned: false, unsizedMem: 0, usesIbs: false, moffs: null };
}

export function resolveSize(s: number, osz: number): number {
  if (s >= 0) return s;
  if (s === SZ_V) return osz;
  if (s === SZ_P) return osz + 2;
  if (s === SZ_A) return osz * 2;
  return 0;
}

/** nasm's SBYTEWORD / SBYTEDWORD: fits a sign-extended byte at this operand size. */
export function fitsSignedByte(v: bigint, osz: number): boolean {
  const wrapped = osz === 2 ? BigInt.asUintN(16, v + 128n) : BigInt.asUintN(32, v + 128n);
  return wrapped <= 255n;
}

export interface MatchContext {
  readonly osz: number;
  /** Operand index 0 is the destination: Ewv accepts a 16-bit register only as a source (mov sreg,r16; lar r32,r16). */
  readonly index: number;
  /** call/jmp take `far [mem]` for their Mp forms; les/lds take a plain [mem]. */
  readonly farMemory: boolean;
}

function isGpr(op: Resolved, size: number): op is Extract<Resolved, { k: 'reg' }> {
  return op.k === 'reg' && op.reg.cls === 'gpr' && op.reg.size === size;
}

/** Memory operand size check; records pinning or the unsized size. */
function memFits(op: Extract<Resolved, { k: 'mem' }>, spec: OperandSpec, size: number, d: Draft): boolean {
  if (spec.hideSize) return true;
  if (op.size === 0) {
    d.unsizedMem = size;
    return true;
  }
  if (op.size !== size) return false;
  if (spec.size < 0 && spec.memSize === 0) d.pinned = true;
  return true;
}

function setRm(op: Resolved, d: Draft): void {
  if (op.k === 'mem') {
    d.ea = op.ea;
    if (op.seg >= 0) d.seg = op.seg;
  } else if (op.k === 'reg') d.rmReg = op.reg.num;
}

export function matchOperand(spec: OperandSpec, op: Resolved, c: MatchContext, d: Draft): boolean {
  const sz = resolveSize(spec.size, c.osz);
  const pinIfV = (): true => {
    if (spec.size < 0) d.pinned = true;
    return true;
  };
  switch (spec.kind) {
    case OpKind.E:
      if (op.k === 'reg') {
        d.rmReg = op.reg.num;
        if (isGpr(op, sz)) return pinIfV();
        // A word-in-memory source (mov sreg,r; lar r,r) takes a 16- or 32-bit register whatever the operand
        // size: nasm writes `mov ds,eax` and `lar eax,ax` with no 66, so the register does not pin the size.
        return spec.memSize === 2 && spec.size === SZ_V && c.index > 0 && (isGpr(op, 2) || isGpr(op, 4));
      }
      if (op.k !== 'mem' || op.far) return false;
      if (!memFits(op, spec, spec.memSize !== 0 ? spec.memSize : sz, d)) return false;
      setRm(op, d);
      return true;
    case OpKind.M: {
      if (op.k !== 'mem') return false;
      if (spec.size === SZ_P) {
        if (op.far !== c.farMemory) return false;
        if (op.size !== 0 && op.size !== sz && !(c.farMemory && op.size === c.osz)) return false;
        if (op.size === 0) d.unsizedMem = sz; else d.pinned = true;
      } else {
        if (op.far) return false;
        if (!memFits(op, spec, sz, d)) return false;
      }
      setRm(op, d);
      return true;
    }
    case OpKind.R:
      if (!isGpr(op, sz)) return false;
      d.rmReg = op.reg.num;
      return pinIfV();
    case OpKind.H:
      if (!isGpr(op, 4)) return false;
      d.rmReg = op.reg.num;
      return true;
    case OpKind.G:
      if (!isGpr(op, sz)) return false;
      d.regField = op.reg.num;
      return pinIfV();
    case OpKind.S: case OpKind.C: case OpKind.D: case OpKind.T: case OpKind.P: case OpKind.V: {
      const cls = spec.kind === OpKind.S ? 'seg' : spec.kind === OpKind.C ? 'cr' : spec.kind === OpKind.D ? 'dr'
        : spec.kind === OpKind.T ? 'tr' : spec.kind === OpKind.P ? 'mm' : 'xmm';
      if (op.k !== 'reg' || op.reg.cls !== cls) return false;
      d.regField = op.reg.num;
      return true;
    }
    case OpKind.N: case OpKind.U: case OpKind.STi: {
      const cls = spec.kind === OpKind.N ? 'mm' : spec.kind === OpKind.U ? 'xmm' : 'st';
      if (op.k !== 'reg' || op.reg.cls !== cls) return false;
      d.rmReg = op.reg.num;
      return true;
    }
    case OpKind.Q: case OpKind.W: {
      if (op.k === 'reg') {
        if (op.reg.cls !== (spec.kind === OpKind.Q ? 'mm' : 'xmm')) return false;
        d.rmReg = op.reg.num;
        return true;
      }
      if (op.k !== 'mem' || op.far) return false;
      if (op.size !== 0 && op.size !== sz) return false;
      setRm(op, d);
      return true;
    }
    case OpKind.Z:
      if (!isGpr(op, sz)) return false;
      d.plusR = op.reg.num;
      return pinIfV();
    case OpKind.Fixed: {
      if (op.k !== 'reg' || op.reg.num !== spec.num) return false;
      if (spec.cls === 'gpr') return isGpr(op, sz) && pinIfV();
      return op.reg.cls === spec.cls;
    }
    case OpKind.One:
      return op.k === 'imm' && op.jump === '' && !op.strict && (op.size === 0 || op.size === 1) &&
        op.val.known && op.val.rel === 0 && op.val.v === 1n;
    case OpKind.I: {
      if (op.k !== 'imm' || op.jump !== '') return false;
      if (op.size !== 0 && op.size !== sz) return false;
      if (op.size !== 0) pinIfV();
      d.imms.push({ value: op.val.v, size: sz });
      return true;
    }
    case OpKind.Ibs: {
      if (op.k !== 'imm' || op.jump !== '') return false;
      if (op.size !== 1) {
        if (op.size !== 0 && op.size !== c.osz) return false;
        if (op.strict || !op.val.known || op.val.rel !== 0 || !fitsSignedByte(op.val.v, c.osz)) return false;
        if (op.size !== 0) d.pinned = true;
      }
      d.usesIbs = true;
      d.imms.push({ value: op.val.v, size: 1 });
      return true;
    }
    case OpKind.J: {
      if (op.k !== 'imm' || op.jump === 'far') return false;
      if (sz === 1) {
        if (op.jump === 'near' || op.size !== 0) return false;
      } else {
        if (op.jump === 'short') return false;
        if (op.size !== 0 && op.size !== sz) return false;
        if (op.size !== 0) d.pinned = true;
      }
      d.jump = { target: op.val, size: sz, short: op.jump === 'short' };
      return true;
    }
    case OpKind.O: {
      if (op.k !== 'mem' || !op.ea.absolute || op.forcedDisp !== 0 || op.far) return false;
      if (op.size !== 0 && op.size !== sz) return false;
      d.moffs = op.ea;
      if (op.seg >= 0) d.seg = op.seg;
      return true;
    }
    case OpKind.A: {
      if (op.k !== 'far') return false;
      if (op.size !== 0 && op.size !== c.osz) return false;
      if (op.size !== 0) d.pinned = true;
      d.imms.push({ value: op.off.v, size: c.osz }, { value: op.sel.v, size: 2 });
      return true;
    }
    default:
      // X, Y, Xlat: implicit operands the user does not write.
      return false;
  }
}
