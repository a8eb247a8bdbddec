/**
 * Finding a form by its encoding, and what the unit and the monitor need
 * to know per form, computed once from ALL_FORMS.
 *
 * The lifter resolves an instruction to a form at translation time
 * (`findForm`) and hands the monitor an op word: the form's index in
 * ALL_FORMS and the ModRM byte (`simdOp`), a constant of the translation.
 */
import { ALL_FORMS } from '../all-forms.js';
import { Reg, type SimdForm } from '../simd-form.js';
import { Special, specialKind } from '../moves/move-form.js';

/** The op word's fields: ModRM in bits 0..7, the form's index above. */
export const simdOp = (formIndex: number, modrm: number): number => (formIndex << 8) | (modrm & 0xff);
export const opForm = (op: number): number => op >>> 8;
export const opModrm = (op: number): number => op & 0xff;

/**
 * Which device-not-available and enabling checks an instruction gets (SDM
 * Vol. 3A §2.5 table 2-2, §13.1–13.2, the per-instruction exception tables;
 * QEMU's gen_sse applies the same split):
 *   SSE      CR0.EM → #UD, CR4.OSFXSR = 0 → #UD, CR0.TS → #NM (XMM operands, ldmxcsr, stmxcsr);
 *   MMX      CR0.EM → #UD, CR0.TS → #NM, pending x87 exception → #MF (MMX operands only, emms);
 *   SSE_MMX  both: an XMM and an MMX operand (cvtpi2ps, movq2dq, movdq2q…;
 *            the MMX checks only when the MMX operand is a register: namesMmx);
 *   FXSR     CR0.EM or CR0.TS → #NM (fxsave, fxrstor).
 */
export const enum SimdCheck {
  SSE = 0,
  MMX = 1,
  SSE_MMX = 2,
  FXSR = 3,
}

function checkOf(f: SimdForm): SimdCheck {
  const kind = specialKind(f);
  if (kind === Special.FXSAVE || kind === Special.FXRSTOR) return SimdCheck.FXSR;
  const mmx = f.a === Reg.MMX || f.b === Reg.MMX || kind === Special.EMMS;
  const xmm = f.a === Reg.XMM || f.b === Reg.XMM || (!mmx && f.feature !== 'mmx');
  return mmx ? (xmm ? SimdCheck.SSE_MMX : SimdCheck.MMX) : SimdCheck.SSE;
}

/** Per form index: its SimdCheck. */
export const FORM_CHECK: Uint8Array = Uint8Array.from(ALL_FORMS, checkOf);

/**
 * Per form index: 2 when operand A is an MMX register (or the form is emms),
 * 1 when only B is (cvtpi2ps, cvtpi2pd, movq2dq), else 0. An MMX register
 * operand makes the
 * x87 → MMX transition and the MMX checks (#MF); a B read from memory
 * instead names no MMX register, and then neither happens (SDM Vol. 2
 * CVTPI2PS: "if the source operand is a memory location, the instruction
 * does not cause a transition to MMX technology").
 */
export const FORM_TOUCHES_MMX: Uint8Array = Uint8Array.from(ALL_FORMS, (f) =>
  (f.a === Reg.MMX || specialKind(f) === Special.EMMS ? 2 : f.b === Reg.MMX ? 1 : 0));

/** Whether the instruction `op` names an MMX register (see FORM_TOUCHES_MMX). */
export function namesMmx(op: number): boolean {
  const t = FORM_TOUCHES_MMX[opForm(op)]!;
  return t === 2 || (t === 1 && opModrm(op) >= 0xc0);
}

const slotKey = (map: number, prefix: number, opcode: number): number => ((map * 4 + prefix) << 8) | opcode;

const BY_SLOT: ReadonlyMap<number, readonly number[]> = (() => {
  const m = new Map<number, number[]>();
  ALL_FORMS.forEach((f, i) => {
    const k = slotKey(f.map, f.prefix, f.opcode);
    const list = m.get(k);
    if (list === undefined) m.set(k, [i]);
    else list.push(i);
  });
  return m;
})();

/**
 * The index in ALL_FORMS of the form encoded by map (OpMap), mandatory
 * prefix (Prefix), opcode and ModRM (-1 for an opcode without one), or -1:
 * no such form, or its register/memory variant does not exist (#UD).
 */
export function findForm(map: number, prefix: number, opcode: number, modrm: number): number {
  const list = BY_SLOT.get(slotKey(map, prefix, opcode));
  if (list === undefined) return -1;
  const mod3 = modrm < 0 || modrm >= 0xc0;
  const reg = (modrm >> 3) & 7;
  for (const i of list) {
    const f = ALL_FORMS[i]!;
    if (f.reg >= 0 && (modrm < 0 || f.reg !== reg)) continue;
    if (mod3 ? f.regForm : f.memBytes > 0) return i;
  }
  return -1;
}
