/**
 * The architectural state of the x87 FPU, held in typed arrays and plain
 * int fields so that executing an instruction allocates nothing.
 *
 * The eight physical registers R0..R7 live in one `Uint32Array(24)` in the
 * softfloat calling convention (float80.ts): register i at slots 3i..3i+2 as
 * [se, hi, lo], so an arithmetic routine writes its result straight into the
 * destination register. ST(i) is physical register (TOP + i) & 7.
 *
 * TOP is kept apart from the rest of the status word because every push and
 * pop changes it; `fsw()` composes the architectural FSW. The tag word is
 * kept as FXSAVE's abridged form (one bit per physical register, 1 = holds a
 * value), which is all the hardware keeps too: FNSTENV/FNSAVE compute the
 * two-bit tags (valid/zero/special) from the register contents, and
 * FLDENV/FRSTOR only honour "empty" (SDM Vol. 1 §8.1.7).
 *
 * The x87 unit (src/fpu/unit/) is the only writer; the VMM reads it for
 * #MF/IRQ13 decisions and a future XSAVE.
 */
import { FCW_DEFAULT, ES, tagOf, TAG_EMPTY } from './float80.js';

/** FSW bits 13..11. */
export const FSW_TOP_MASK = 0x3800;
export const FSW_TOP_SHIFT = 11;
/** FSW bit 15: "busy", a copy of ES since the 387. */
export const FSW_B = 0x8000;
/** FCW bits that hold what was loaded: masks, PC, RC and the 287's infinity bit; bit 6 reads as 1. */
export const FCW_WRITABLE = 0x1f3f;
export const FCW_ALWAYS_ONE = 0x0040;
/** FCW after power-on or RESET (SDM Vol. 3A table 9-1); FNINIT gives FCW_DEFAULT. */
export const FCW_RESET = 0x0040;

export class FpuState {
  /** Physical registers R0..R7 as [se, hi, lo] triples (float80.ts). */
  readonly regs = new Uint32Array(24);
  /** Control word, as FNSTCW stores it. */
  fcw = FCW_DEFAULT;
  /** Status word without TOP (bits 13..11 are always 0 here). */
  sw = 0;
  /** Top-of-stack pointer, 0..7. */
  top = 0;
  /** Abridged tag: bit i set when physical register i is not empty. */
  used = 0;
  /** Last non-control instruction: offset and CS selector. */
  fip = 0;
  fcs = 0;
  /** Its opcode's low 11 bits: (first byte & 7) << 8 | ModRM. */
  fop = 0;
  /** Last memory operand of a non-control instruction: offset and segment selector. */
  fdp = 0;
  fds = 0;

  constructor() {
    fninitState(this);
  }
}

/** The architectural status word: sw with TOP in bits 13..11. */
export function fsw(s: FpuState): number {
  return s.sw | (s.top << FSW_TOP_SHIFT);
}

/** Loads the whole status word (FLDENV, FRSTOR, FXRSTOR). */
export function setFsw(s: FpuState, v: number): void {
  s.top = (v >>> FSW_TOP_SHIFT) & 7;
  s.sw = v & 0xffff & ~FSW_TOP_MASK;
}

/** What FLDCW leaves in FCW for the 16 bits given (measured on the host CPU: reserved bits 7, 13..15 read 0, bit 6 reads 1). */
export function fcwFromLoad(v: number): number {
  return (v & FCW_WRITABLE) | FCW_ALWAYS_ONE;
}

/**
 * ES and B follow the exception flags and masks: set exactly when some
 * raised exception is unmasked. The host recomputes them whenever FCW or
 * FSW is loaded (FLDCW unmasking a raised flag sets ES at once).
 */
export function recomputeErrorSummary(s: FpuState): void {
  if ((s.sw & ~s.fcw & 0x3f) !== 0) s.sw |= ES | FSW_B;
  else s.sw &= ~(ES | FSW_B);
}

/** True when an unmasked exception is pending: the next waiting x87 instruction must take #MF (or FERR#). */
export function exceptionPending(s: FpuState): boolean {
  return (s.sw & ES) !== 0;
}

/** The 16-bit tag word as FNSTENV/FNSAVE store it, computed from the register contents. */
export function tagWord(s: FpuState): number {
  const r = s.regs;
  let tw = 0;
  for (let i = 0; i < 8; i++) {
    const t = (s.used >>> i) & 1 ? tagOf(r[3 * i]!, r[3 * i + 1]!, r[3 * i + 2]!) : TAG_EMPTY;
    tw |= t << (2 * i);
  }
  return tw;
}

/** Loads a 16-bit tag word: only "empty" (11) is honoured; other tags come from contents. */
export function setTagWord(s: FpuState, tw: number): void {
  let used = 0;
  for (let i = 0; i < 8; i++) if (((tw >>> (2 * i)) & 3) !== TAG_EMPTY) used |= 1 << i;
  s.used = used;
}

/** FNINIT/FINIT: default control word, clear status, all registers empty, pointers and opcode 0. */
export function fninitState(s: FpuState): void {
  s.fcw = FCW_DEFAULT;
  s.sw = 0;
  s.top = 0;
  s.used = 0;
  s.fip = 0;
  s.fcs = 0;
  s.fop = 0;
  s.fdp = 0;
  s.fds = 0;
}

/** Power-on and RESET (SDM Vol. 3A table 9-1): FCW 0040H, FSW 0, every register +0.0 and tagged zero (FTW 5555H). */
export function resetState(s: FpuState): void {
  fninitState(s);
  s.fcw = FCW_RESET;
  s.regs.fill(0);
  s.used = 0xff;
}
