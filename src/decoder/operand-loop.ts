/**
 * The decoder's general operand loop: one operand spec at a time, for the
 * rows whose operand lists decode.ts does not build directly (string and
 * moffs forms, three-operand forms, x87, MMX/SSE memory forms, far pointers,
 * shifts by 1 or CL …, roughly one instruction in ten of real code), and
 * for every instruction decode-general.ts decodes.
 *
 * Out of line so the hot decode() stays small enough for V8 to keep its
 * locals in registers. It reads the packed operand specs of the row
 * (decode-index.ts) and the ModRM address word the caller computed; its other
 * results come back in LOOP_OUT, so nothing is allocated for them.
 */
import { addressWord, defaultSegment, memOperand } from './addressing.js';
import { DECODE_INDEX, MAX_OPERANDS, OP_CLASS_SHIFT, OP_KIND_MASK, OP_MEMSIZE_SHIFT, OP_NUM_SHIFT, OP_SIZE_BIAS, OP_SIZE_SHIFT } from './decode-index.js';
import type { Operand, OperandSize } from './insn.js';
import { OpKind } from './operand-specs.js';
import { RC_CR, RC_DR, RC_GPR, RC_MM, RC_SEG, RC_ST, RC_TR, RC_XMM, REG_POOL, regIndex, regOperand } from './register-operands.js';

const SEG_ES = 0;
const SEG_DS = 3;
const OPS = DECODE_INDEX.ops;
const OP_SIZES = DECODE_INDEX.opSizes;
/** Address words (addressing.ts) of the operands without ModRM: moffs, and the string forms' [esi], [edi], [ebx]. */
const NO_REGISTERS = addressWord(-1, -1, 0, 0, false, false);
const ESI = addressWord(6, -1, 0, 0, false, false);
const EDI = addressWord(7, -1, 0, 0, false, false);
const EBX = addressWord(3, -1, 0, 0, false, false);

/** [0]: the read position after the operands (or where an unknown kind stopped); [1]: 1 when a segment register field is 6/7 (#UD). */
export const LOOP_OUT = new Int32Array(2);

/** The operands of row `fid` (n of them, n ≥ 1), or null for an operand kind the decoder does not know. */
export function decodeOperandLoop(
  buf: Uint8Array, p: number, fid: number, n: number, modrm: number, opSize: 2 | 4, addrSize: 2 | 4, seg: number,
  a: number, disp: number, vexReg: number, opcode: number, address: number, start: number,
): Operand[] | null {
  const opBase = fid * MAX_OPERANDS;
  const szShift = opSize === 4 ? 16 : 0;
  const isReg = modrm >= 0xc0;
  const effSeg = seg >= 0 ? seg : defaultSegment(a);
  let undefinedHere = 0;
  let o0: Operand | null = null;
  let o1: Operand | null = null;
  let o2: Operand | null = null;
  for (let i = 0; i < n; i++) {
    const w = OPS[opBase + i]!;
    const kind = w & OP_KIND_MASK;
    const ssize = ((w >> OP_SIZE_SHIFT) & 1023) - OP_SIZE_BIAS;
    const size = ((OP_SIZES[opBase + i]! >>> szShift) & 0xffff) as OperandSize;
    // Each case only says what the operand is; the objects are made at one call site per kind below,
    // which keeps this function small enough for V8 to inline those helpers.
    let o: Operand | null = null;
    let rc = -1; // register class, or -1
    let rn = 0;
    let rs = size;
    let mem = false;
    let mSize = size;
    let mSeg = effSeg;
    let mOverride = seg >= 0;
    let mA = a;
    let mDisp = disp;
    let moffs = false;
    let imm = false;
    let iSize = size;
    let iValue = 0;
    switch (kind) {
      case OpKind.E:
      case OpKind.M:
        if (isReg) {
          rc = RC_GPR;
          rn = modrm & 7;
        } else {
          const memSize = (w >> OP_MEMSIZE_SHIFT) & 1023;
          mem = true;
          if (memSize !== 0) mSize = memSize as OperandSize;
        }
        break;
      case OpKind.Q:
        if (isReg) {
          rc = RC_MM;
          rn = modrm & 7;
          rs = 8;
        } else mem = true;
        break;
      case OpKind.W:
        if (isReg) {
          rc = RC_XMM;
          rn = modrm & 7;
          rs = ssize === 32 ? 32 : 16;
        } else mem = true;
        break;
      case OpKind.R:
      case OpKind.H:
        rc = RC_GPR;
        rn = modrm & 7;
        break;
      case OpKind.G:
        rc = RC_GPR;
        rn = (modrm >> 3) & 7;
        break;
      case OpKind.S:
        rc = RC_SEG;
        rn = (modrm >> 3) & 7;
        rs = 2;
        if (rn > 5) undefinedHere = 1;
        break;
      case OpKind.C:
        rc = RC_CR;
        rn = (modrm >> 3) & 7;
        rs = 4;
        break;
      case OpKind.D:
        rc = RC_DR;
        rn = (modrm >> 3) & 7;
        rs = 4;
        break;
      case OpKind.T:
        rc = RC_TR;
        rn = (modrm >> 3) & 7;
        rs = 4;
        break;
      case OpKind.I:
        imm = true;
        if (size === 1) iValue = buf[p++]!;
        else if (size === 2) {
          iValue = buf[p]! | (buf[p + 1]! << 8);
          p += 2;
        } else {
          iValue = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
          p += 4;
        }
        break;
      case OpKind.Ibs: {
        const v = (buf[p++]! << 24) >> 24;
        imm = true;
        iSize = opSize;
        iValue = opSize === 4 ? v >>> 0 : v & 0xffff;
        break;
      }
      case OpKind.One:
        imm = true;
        iSize = 1;
        iValue = 1;
        break;
      case OpKind.J: {
        let d: number;
        if (size === 1) d = (buf[p++]! << 24) >> 24;
        else if (size === 2) {
          d = ((buf[p]! | (buf[p + 1]! << 8)) << 16) >> 16;
          p += 2;
        } else {
          d = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
          p += 4;
        }
        const next = (address + (p - start)) | 0;
        o = { kind: 'rel', size: opSize, target: opSize === 4 ? (next + d) >>> 0 : (next + d) & 0xffff };
        break;
      }
      case OpKind.O:
        if (addrSize === 4) {
          mDisp = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
          p += 4;
        } else {
          mDisp = buf[p]! | (buf[p + 1]! << 8);
          p += 2;
        }
        mem = true;
        mSeg = seg >= 0 ? seg : SEG_DS;
        mA = NO_REGISTERS;
        moffs = true;
        break;
      case OpKind.A: {
        let off: number;
        if (opSize === 4) {
          off = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
          p += 4;
        } else {
          off = buf[p]! | (buf[p + 1]! << 8);
          p += 2;
        }
        const selector = buf[p]! | (buf[p + 1]! << 8);
        p += 2;
        o = { kind: 'far', size, selector, offset: off };
        break;
      }
      case OpKind.Z:
        rc = RC_GPR;
        rn = opcode & 7;
        break;
      case OpKind.Fixed:
        rc = (w >> OP_CLASS_SHIFT) & 7;
        rn = (w >> OP_NUM_SHIFT) & 7;
        break;
      case OpKind.X:
      case OpKind.Xlat:
      case OpKind.Y:
        // String operands: ds:[esi] (overridable), es:[edi], xlat's ds:[ebx]; no SIB, no displacement.
        mem = true;
        if (kind === OpKind.Y) {
          mSeg = SEG_ES;
          mOverride = false;
        } else mSeg = seg >= 0 ? seg : SEG_DS;
        mA = kind === OpKind.X ? ESI : kind === OpKind.Y ? EDI : EBX;
        mDisp = 0;
        break;
      case OpKind.STi:
        rc = RC_ST;
        rn = modrm & 7;
        rs = 10;
        break;
      case OpKind.P:
      case OpKind.N:
        rc = RC_MM;
        rn = kind === OpKind.P ? (modrm >> 3) & 7 : modrm & 7;
        rs = 8;
        break;
      case OpKind.V:
      case OpKind.U:
      case OpKind.Vvvv:
        rc = RC_XMM;
        rn = kind === OpKind.V ? (modrm >> 3) & 7 : kind === OpKind.U ? modrm & 7 : vexReg;
        rs = ssize === 32 ? 32 : 16;
        break;
      default:
        LOOP_OUT[0] = p;
        return null;
    }
    // Literals with the same keys in the same order: V8 gives each kind one hidden class.
    if (rc >= 0) o = REG_POOL[regIndex(rc, rn, rs)] ?? regOperand(rc, rn, rs);
    else if (mem) o = memOperand(mSize, mA, mDisp, mSeg, mOverride, addrSize, moffs);
    else if (imm) o = { kind: 'imm', size: iSize, value: iValue };
    if (i === 0) o0 = o!;
    else if (i === 1) o1 = o!;
    else o2 = o!;
  }
  LOOP_OUT[0] = p;
  LOOP_OUT[1] = undefinedHere;
  // Array literals: packed, one allocation (isa rows have at most three operands).
  return n === 1 ? [o0!] : n === 2 ? [o0!, o1!] : [o0!, o1!, o2!];
}
