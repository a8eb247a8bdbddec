/**
 * The `simd` routine: every MMX, SSE, SSE2 and SSE3 instruction, and
 * fxsave/fxrstor, runs here in the SIMD unit (src/simd/unit/), called from
 * generated code through the monitor interface (lift/simd.ts).
 *
 * Arguments: a = the op word (form index and ModRM: simd/unit/form-index.ts),
 * b = the memory operand's linear address (maskmov*: DS:(E)DI's), c = the
 * immediate byte.
 *
 * Before the unit runs come the checks of SDM Vol. 3A §2.5 table 2-2 and
 * §13.1–13.2, by the form's class (form-index.ts SimdCheck), in the SDM's
 * order (#UD, then #NM, then #MF):
 *   SSE forms: CR0.EM → #UD, CR4.OSFXSR = 0 → #UD, CR0.TS → #NM;
 *   MMX forms: CR0.EM → #UD, CR0.TS → #NM, an unmasked x87 exception
 *     pending → #MF when an MMX register is named (cvtpi2ps from memory
 *     names none; with CR0.NE = 0 the PC's FERR# wiring reported it
 *     already and the instruction goes on, as x87.ts does for waiting
 *     instructions);
 *   fxsave/fxrstor: CR0.EM or CR0.TS → #NM.
 * After it: #GP(0) for misalignment or reserved MXCSR bits; an unmasked
 * SIMD floating-point exception is #XM when CR4.OSXMMEXCPT is set, #UD when
 * it is clear (SDM Vol. 3A §13.4.1).
 */
import { exceptionPending } from '../fpu/fpu-state.js';
import { executeSimd } from '../simd/unit/dispatch.js';
import { FORM_CHECK, namesMmx, opForm, SimdCheck } from '../simd/unit/form-index.js';
import { SIMD_GP, SIMD_XM } from '../simd/unit/simd-unit.js';
import { VmmResult } from '../vmm-interface/interface.js';
import { GuestFault, gp, ud, Vector } from './fault.js';
import type { MonitorCore } from './monitor-core.js';
import { FERR_IRQ } from './x87.js';

const CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_NE = 1 << 5;
const CR4_OSFXSR = 1 << 9, CR4_OSXMMEXCPT = 1 << 10;

export function simd(m: MonitorCore, op: number, la: number, imm: number): VmmResult {
  const cr0 = m.cpu.cr0;
  const cr4 = m.cpu.cr4;
  const check = FORM_CHECK[opForm(op)]!;
  if (check === SimdCheck.FXSR) {
    if ((cr0 & (CR0_EM | CR0_TS)) !== 0) throw new GuestFault(Vector.NM, -1);
  } else {
    if ((cr0 & CR0_EM) !== 0) throw ud();
    if (check !== SimdCheck.MMX && (cr4 & CR4_OSFXSR) === 0) throw ud();
    if ((cr0 & CR0_TS) !== 0) throw new GuestFault(Vector.NM, -1);
    if (check !== SimdCheck.SSE && (cr0 & CR0_NE) !== 0 && exceptionPending(m.x87.s) && namesMmx(op)) throw new GuestFault(Vector.MF, -1);
  }
  const unit = m.simd;
  unit.osfxsr = (cr4 & CR4_OSFXSR) !== 0;
  const r = executeSimd(unit, op, la, imm);
  if (m.x87.errorRaised) {
    // fxrstor loaded an unmasked pending x87 exception: FERR# as after frstor (x87.ts).
    m.x87.errorRaised = false;
    if ((cr0 & CR0_NE) === 0) m.raiseIrq?.(FERR_IRQ);
  }
  if (r === SIMD_GP) throw gp(0);
  if (r === SIMD_XM) throw (cr4 & CR4_OSXMMEXCPT) !== 0 ? new GuestFault(Vector.XM, -1) : ud();
  return VmmResult.Continue;
}
