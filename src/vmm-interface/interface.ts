/**
 * The one narrow interface between translated code and the virtual machine
 * monitor.
 *
 * Generated code never reaches into the VMM's internals: everything a
 * privileged, sensitive or I/O instruction needs goes through `emulate`, and
 * every guest exception through `raise`. Before either call the generated code
 * has written all guest registers back into CpuState and set `cpu.eip` to the
 * address of the instruction; after `emulate` returns Continue it reloads them.
 * This keeps the monitor free to change any state (a far jmp reloads CS, popf
 * changes DF, in writes EAX) without the translator knowing how.
 *
 * Exit codes tell the generated code whether it may go on with the next
 * instruction of the block or must return to the dispatcher (an exception was
 * delivered, the mode changed, the guest halted, the run must stop).
 */
import type { VmmRoutine } from '../ir/types.js';

export const enum VmmResult {
  /** Carry on with the next instruction in the block. */
  Continue = 0,
  /** Return to the dispatcher; cpu.eip says where the guest goes next. */
  Leave = 1,
}

/** Routine names in a fixed order: generated code passes the index, not the string. */
export const VMM_ROUTINES: readonly VmmRoutine[] = [
  'cli', 'sti', 'hlt', 'pushf', 'popf',
  'in', 'out', 'ins', 'outs',
  'cpuid', 'rdtsc', 'rdmsr', 'wrmsr',
  'lgdt', 'lidt', 'sgdt', 'sidt', 'lldt', 'sldt', 'ltr', 'str',
  'movToCr', 'movFromCr', 'movToDr', 'movFromDr', 'clts', 'lmsw', 'smsw',
  'loadSeg', 'farJmp', 'farCall', 'farRet', 'iret', 'int', 'into', 'int3',
  'invlpg', 'invd', 'wbinvd',
  'lar', 'lsl', 'verr', 'verw', 'arpl',
  'sysenter', 'sysexit',
  'fpu',
  'simd',
];

export const routineIndex = (r: VmmRoutine): number => VMM_ROUTINES.indexOf(r);

/**
 * loadSeg's third argument for mov and pop to DS/ES/FS/GS: the instruction
 * ends with the load, so the routine finishes it and leaves only when the
 * translation mode word changed. A pop adds the bytes to release on success
 * (`| opSize << 8`).
 */
export const LOAD_MAY_LEAVE = 1;

/**
 * The fpu routine's first argument for a fwait (9B) instead of an x87 op
 * word (fpu/unit/dispatch.ts x87Op uses bits 0..14 only).
 */
export const FWAIT_OP = 0x8000;

export interface Monitor {
  /**
   * Run VMM routine `routine` (an index into VMM_ROUTINES) for the
   * instruction at cpu.eip, whose successor is at `next`. a/b/c are the
   * routine's arguments as the lifter computed them (see docs/ir.md). A
   * routine that produces a value leaves it in `result`.
   */
  emulate(routine: number, next: number, a: number, b: number, c: number): VmmResult;
  /** Value produced by the last emulate (in, movFromCr, smsw, lar, …). */
  result: number;
  /** Deliver guest exception `vector` for the instruction at cpu.eip (errorCode < 0: none). */
  raise(vector: number, errorCode: number): void;
}
