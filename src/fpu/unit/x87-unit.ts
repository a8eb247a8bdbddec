/**
 * The x87 unit's core: the FPU state plus its bindings to memory and CPU,
 * and the register-stack and exception mechanics every instruction form in
 * this folder shares (ST(i) addressing, push/pop, stack overflow and
 * underflow, recording exception flags, ES and C1).
 *
 * Forms are plain functions over an X87Unit (one file per family); the
 * dispatcher (dispatch.ts) maps an x87 opcode to one of them. Nothing here
 * allocates: operands travel as numbers or through the `tmp` scratch slots.
 */
import { C0, C1, C2, C3, ES, IE, SF, INDEFINITE_HI, INDEFINITE_LO, INDEFINITE_SE } from '../float80.js';
import { FpuState, FSW_B } from '../fpu-state.js';
import type { FpuCpuLink, FpuMemory } from './ports.js';

/** IE, DE and ZE unmasked: the instruction leaves its destination and the stack as they were (SDM Vol. 1 §8.5). */
export const PRE_COMPUTATION = 0x07;
export const CC_MASK = C0 | C1 | C2 | C3;

export class X87Unit {
  readonly regs: Uint32Array;
  /**
   * Set when an instruction raised an exception its FCW does not mask (ES
   * became 1). The VMM clears it after reading; with CR0.NE=0 it asserts
   * FERR# (IRQ13) then.
   */
  errorRaised = false;
  /**
   * IGNNE# asserted (CR0.NE=0 after the guest wrote port 0xF0): waiting
   * instructions run despite a pending exception.
   */
  ignorePending = false;
  /**
   * FXSAVE as AMD processors do it: FOP, FIP, FCS, FDP and FDS stored as 0
   * unless an unmasked exception is pending (ES=1), as measured on the host
   * (an AMD EPYC). Intel processors and QEMU always store them.
   */
  fxsavePointersOnlyWhenPending = false;
  /** Operand scratch: slots 0..2 hold a memory operand as an 80-bit value, 3..5 a second temporary. */
  readonly tmp = new Uint32Array(6);
  /** Raw bytes of an environment or save image being loaded, read whole before any state changes. */
  readonly image = new Uint8Array(512);

  constructor(
    readonly s: FpuState,
    public mem: FpuMemory,
    public cpu: FpuCpuLink,
  ) {
    this.regs = s.regs;
  }
}

/** Slot offset of ST(i) in `regs`. */
export function st(u: X87Unit, i: number): number {
  return 3 * ((u.s.top + i) & 7);
}

export function isEmpty(u: X87Unit, i: number): boolean {
  return ((u.s.used >>> ((u.s.top + i) & 7)) & 1) === 0;
}

export function markUsed(u: X87Unit, i: number): void {
  u.s.used |= 1 << ((u.s.top + i) & 7);
}

/** Decrements TOP and tags the new ST(0) valid; the caller writes its value. */
export function push(u: X87Unit): number {
  const s = u.s;
  s.top = (s.top - 1) & 7;
  s.used |= 1 << s.top;
  return 3 * s.top;
}

/** Tags ST(0) empty and increments TOP. */
export function pop(u: X87Unit): void {
  const s = u.s;
  s.used &= ~(1 << s.top);
  s.top = (s.top + 1) & 7;
}

export function writeIndefiniteAt(u: X87Unit, o: number): void {
  const r = u.regs;
  r[o] = INDEFINITE_SE;
  r[o + 1] = INDEFINITE_HI;
  r[o + 2] = INDEFINITE_LO;
}

export function copyReg(u: X87Unit, to: number, from: number): void {
  const r = u.regs;
  r[to] = r[from]!;
  r[to + 1] = r[from + 1]!;
  r[to + 2] = r[from + 2]!;
}

/**
 * Records exception flags (IE..PE, SF) in FSW; sets ES and B when one of
 * them is unmasked. Returns the unmasked ones, so that a form can leave
 * its destination alone when `result & PRE_COMPUTATION` is non-zero.
 */
export function raise(u: X87Unit, exc: number): number {
  const s = u.s;
  s.sw |= exc & 0x7f;
  const unmasked = exc & ~s.fcw & 0x3f;
  if (unmasked !== 0) {
    if ((s.sw & ES) === 0) u.errorRaised = true;
    s.sw |= ES | FSW_B;
  }
  return unmasked;
}

/** Sets the condition codes in `mask` to `bits` (C-flag positions of FSW). */
export function setCc(u: X87Unit, mask: number, bits: number): void {
  u.s.sw = (u.s.sw & ~mask) | (bits & mask);
}

/**
 * Merges what a softfloat routine returned: its exception bits into the
 * flags and C1 from its round-up bit (cleared when it did not round up).
 * Returns the unmasked exceptions.
 */
export function takeResult(u: X87Unit, ret: number): number {
  u.s.sw = (u.s.sw & ~C1) | (ret & C1);
  return ret & 0x3f ? raise(u, ret & 0x3f) : 0;
}

/**
 * Stack underflow (an operand register was empty): IE and SF with C1 = 0.
 * True when IE is masked, so the form goes on with the QNaN indefinite as
 * its result; false when it must change nothing else.
 */
export function stackUnderflow(u: X87Unit): boolean {
  u.s.sw &= ~C1;
  return raise(u, IE | SF) === 0;
}

/**
 * A stack underflow whose masked response puts the indefinite in ST(i)
 * (tagged in use). Returns false when IE is unmasked and nothing changed.
 */
export function underflowInto(u: X87Unit, i: number): boolean {
  if (!stackUnderflow(u)) return false;
  writeIndefiniteAt(u, st(u, i));
  markUsed(u, i);
  return true;
}

/** Stack overflow (a push found ST(7) in use): IE and SF with C1 = 1; true when masked. */
export function stackOverflow(u: X87Unit): boolean {
  u.s.sw |= C1;
  return raise(u, IE | SF) === 0;
}

/**
 * Pushes the QNaN indefinite after a masked stack overflow, or nothing
 * when IE is unmasked. Called by every loading form when ST(7) is in use.
 */
export function overflowPush(u: X87Unit): void {
  if (stackOverflow(u)) writeIndefiniteAt(u, push(u));
}
