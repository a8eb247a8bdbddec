/**
 * executeSimd: one SIMD instruction, given the op word the lifter made
 * (form index and ModRM: form-index.ts), the memory operand's linear
 * address (already checked against its segment) and the immediate byte.
 *
 * The monitor (vmm/simd.ts) has made the CR0/CR4 and pending-x87 checks.
 * Here: operand A (ModRM.reg, or ModRM.rm for the group opcodes) and B
 * (ModRM.rm, or memory: #GP(0) first when an aligned form's address is not
 * a multiple of 16) into the scratch, the form's computation, then the
 * MXCSR flags: any unmasked one leaves the destination unchanged (SIMD_XM);
 * else A goes back to its register and EFLAGS for comis/ucomis. An MMX
 * register operand makes the x87 → MMX transition, #XM or not.
 */
import { ALL_FORMS } from '../all-forms.js';
import { Special, specialKind } from '../moves/move-form.js';
import { Reg } from '../simd-form.js';
import { B32, MXCSR_FLAGS, MXCSR_MASK_SHIFT } from '../simd-scratch.js';
import { FORM_TOUCHES_MMX, namesMmx, opForm, opModrm } from './form-index.js';
import { enterMmxState, loadMemory, loadRegister, storeRegister } from './registers.js';
import { SIMD_GP, SIMD_OK, SIMD_XM, type SimdUnit } from './simd-unit.js';
import { runSpecial } from './special-forms.js';

const SPECIAL: Uint8Array = Uint8Array.from(ALL_FORMS, specialKind);

/** The `bytes` a form's run is given: 16 when its destination is an XMM register, or a GPR taken from an XMM one. */
const BYTES: Uint8Array = Uint8Array.from(ALL_FORMS, (f) => (f.a === Reg.XMM || (f.a !== Reg.MMX && f.b === Reg.XMM) ? 16 : 8));

/** Returns SIMD_OK, SIMD_GP or SIMD_XM; memory faults are thrown by the memory port before any change. */
export function executeSimd(u: SimdUnit, op: number, la: number, imm: number): number {
  const fi = opForm(op);
  const modrm = opModrm(op);
  const f = ALL_FORMS[fi]!;
  const kind = SPECIAL[fi]!;
  let r: number;
  if (kind !== 0) r = runSpecial(u, f, kind, modrm, la);
  else r = compute(u, fi, modrm, la, imm);
  // emms leaves the tags empty (runSpecial); every other form naming an MMX register tags them valid,
  // also when it ends in #XM (cvtpi2ps with PE unmasked), but not after #GP or #PF (measured on the
  // host: fixtures/native/mmx_probe).
  if ((r === SIMD_OK || r === SIMD_XM) && FORM_TOUCHES_MMX[fi] !== 0 && kind !== Special.EMMS && namesMmx(op)) enterMmxState(u);
  return r;
}

function compute(u: SimdUnit, fi: number, modrm: number, la: number, imm: number): number {
  const f = ALL_FORMS[fi]!;
  const group = f.reg >= 0;
  const aReg = group ? modrm & 7 : (modrm >> 3) & 7;
  if (!group && f.b !== Reg.NONE && modrm < 0xc0) {
    if (f.aligned && (la & 15) !== 0) return SIMD_GP;
    loadMemory(u, la, f.memBytes, B32);
  } else if (!group && f.b !== Reg.NONE) {
    loadRegister(u, f.b, modrm & 7, B32);
  }
  loadRegister(u, f.a, aReg, 0);
  const x = u.x;
  const s = u.s;
  x.mxcsr = s.mxcsr;
  x.flags = 0;
  x.eflags = 0;
  f.run!(x, BYTES[fi]!, imm);
  const flags = x.flags & MXCSR_FLAGS;
  if (flags !== 0) {
    s.mxcsr |= flags;
    if ((flags & ~(s.mxcsr >>> MXCSR_MASK_SHIFT)) !== 0) return SIMD_XM;
  }
  if (f.writesA) storeRegister(u, f.a, aReg, 0);
  if (f.writesEflags) u.cpu.setCompareFlags(x.eflags);
  return SIMD_OK;
}
