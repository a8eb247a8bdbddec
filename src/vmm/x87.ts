/**
 * The `fpu` routine: every x87 instruction (D8–DF, and fwait) runs here, in
 * the x87 unit (src/fpu/unit/), called from generated code through the
 * monitor interface like any other emulated instruction.
 *
 * Arguments (lift/x87.ts): a = the unit's op word (x87Op: opcode, ModRM,
 * operand size, segment), or FWAIT_OP for fwait; b = the memory operand's
 * linear address; c = its offset in the segment (FDP). The instruction's
 * address is cpu.eip (FIP).
 *
 * Before the unit runs, the monitor makes the checks of SDM Vol. 3A §2.5
 * and Table 2-2: CR0.EM or CR0.TS → #NM for an x87 instruction; fwait
 * faults with #NM only when both CR0.TS and CR0.MP are set. A waiting
 * instruction that finds an unmasked exception pending raises #MF when
 * CR0.NE=1. With NE=0 (the PC's legacy FERR# wiring) the exception is
 * reported through IRQ13 when it occurs and waiting instructions go on, as
 * QEMU's TCG does.
 */
import { executeFwait, executeX87, X87_MF_PENDING, X87_UNDEFINED } from '../fpu/unit/dispatch.js';
import { FWAIT_OP, VmmResult } from '../vmm-interface/interface.js';
import { GuestFault, ud, Vector } from './fault.js';
import type { MonitorCore } from './monitor-core.js';

/** The IRQ line of FERR# on the PC (the coprocessor error interrupt). */
export const FERR_IRQ = 13;

const CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_NE = 1 << 5;

export function fpu(m: MonitorCore, op: number, la: number, ea: number): VmmResult {
  const cr0 = m.cpu.cr0;
  const unit = m.x87;
  let r: number;
  if (op === FWAIT_OP) {
    if ((cr0 & (CR0_TS | CR0_MP)) === (CR0_TS | CR0_MP)) throw new GuestFault(Vector.NM, -1);
    unit.ignorePending = (cr0 & CR0_NE) === 0;
    r = executeFwait(unit);
  } else {
    if ((cr0 & (CR0_EM | CR0_TS)) !== 0) throw new GuestFault(Vector.NM, -1);
    unit.ignorePending = (cr0 & CR0_NE) === 0;
    r = executeX87(unit, op, la, ea, m.cpu.eip);
  }
  if (r === X87_UNDEFINED) throw ud();
  if (r === X87_MF_PENDING) throw new GuestFault(Vector.MF, -1);
  if (unit.errorRaised) {
    unit.errorRaised = false;
    if ((cr0 & CR0_NE) === 0) m.raiseIrq?.(FERR_IRQ);
  }
  return VmmResult.Continue;
}
