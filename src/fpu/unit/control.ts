/**
 * The x87 control instructions that touch only FCW/FSW: fldcw, fnstcw,
 * fnstsw (m16 and AX), fnclex, fninit. Environment and save images are in
 * environment.ts. None of these updates the FPU instruction or data
 * pointer (the dispatcher knows which forms do).
 */
import { ES } from '../float80.js';
import { fcwFromLoad, fninitState, fsw, FSW_B, recomputeErrorSummary } from '../fpu-state.js';
import type { X87Unit } from './x87-unit.js';

/** fldcw: FLDCW unmasking an exception whose flag is set makes it pending at once (ES, B), as the host does. */
export function fldcw(u: X87Unit, v: number): void {
  const s = u.s;
  const was = s.sw & ES;
  s.fcw = fcwFromLoad(v);
  recomputeErrorSummary(s);
  if (was === 0 && (s.sw & ES) !== 0) u.errorRaised = true;
}

export function fnstcwTo(u: X87Unit, la: number): void {
  u.mem.write16(la, u.s.fcw);
}

export function fnstswTo(u: X87Unit, la: number): void {
  u.mem.write16(la, fsw(u.s));
}

export function fnstswAx(u: X87Unit): void {
  u.cpu.setAx(fsw(u.s));
}

/** fnclex: the exception flags, SF, ES and B; C0..C3 and TOP stay (as measured on the host). */
export function fnclex(u: X87Unit): void {
  u.s.sw &= ~(0xff | FSW_B);
}

export function fninit(u: X87Unit): void {
  fninitState(u.s);
}
