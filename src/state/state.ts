/**
 * CpuState: the guest's architectural state as translated code sees it.
 *
 * Generated code reads and writes these fields directly (usually once per
 * region entry and exit, keeping registers in JS locals in between); the VMM
 * reads and writes them in its emulation routines. The object's shape never
 * changes after construction, so every access site stays monomorphic.
 *
 * EFLAGS is split in two: the arithmetic flags OSZAPC live in the lazy
 * thunk (cc*) and are materialised on demand (state/flags-thunk.ts); every other bit
 * (DF, IF, TF, IOPL, NT, RF, VM, AC, ID, bit 1) lives in eflagsSys. Under the
 * VMM, IF and IOPL in eflagsSys are the guest's *virtual* values.
 */
import { DEFAULT_CPU_MODEL, parseCpuModel, type CpuModel } from './cpu-features.js';

/** Thunk kinds as numbers, in the order of FlagKind in ir/types.ts. */
export const enum CcOp {
  Explicit = 0, Add, Adc, Sub, Sbb, Logic, Inc, Dec, Shl, Shr, Sar, Rol, Ror, Mul,
}

export const SEG_ES = 0, SEG_CS = 1, SEG_SS = 2, SEG_DS = 3, SEG_FS = 4, SEG_GS = 5;

export class CpuState {
  /** What this CPU is: the features CPUID reports and the lifter honours (-cpu). */
  model: CpuModel = parseCpuModel(DEFAULT_CPU_MODEL);
  /** eax ecx edx ebx esp ebp esi edi, as int32. */
  readonly regs = new Int32Array(8);
  eip = 0;
  /** EFLAGS minus OSZAPC. Bit 1 is always set. */
  eflagsSys = 0x2;

  // Lazy arithmetic flags (see ir/ops.ts for each kind's meaning).
  ccOp: number = CcOp.Explicit;
  ccSize = 4;
  ccRes = 0;
  ccA = 0;
  ccB = 0;
  ccAux = 0;

  // Segment registers with their descriptor caches (hidden parts).
  readonly segSel = new Uint16Array(6);
  readonly segBase = new Int32Array(6);
  readonly segLimit = new Uint32Array(6);
  /** Access rights as in descriptor bytes 5–6 (type, S, DPL, P, AVL, D/B, G), shifted to bits 8–23 like LAR. */
  readonly segAttr = new Uint32Array(6);
  /**
   * Each segment's window for the limit checks of translated code, derived
   * from base/limit/attr by modeOf (src/state/mode.ts) together with the mode
   * word: offsets segFirst .. segFirst+segSpan-1 (mod 2^32) are inside the
   * segment, segSpan 0 means no offset is (null selector, execute-only
   * code). Only meaningful for segments the mode word marks as checked.
   */
  readonly segFirst = new Int32Array(6);
  readonly segSpan = new Int32Array(6);

  /** Current privilege level the guest believes it runs at (virtual CPL). */
  cpl = 0;
  cr0 = 0x11; // PE set by the Multiboot loader's state; ET set as on every 387+ CPU
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Int32Array(8);
  gdtBase = 0;
  gdtLimit = 0;
  idtBase = 0;
  idtLimit = 0x3ff;
  ldtSel = 0;
  ldtBase = 0;
  ldtLimit = 0;
  trSel = 0;
  trBase = 0;
  trLimit = 0;
  trAttr = 0;
  sysenterCs = 0;
  sysenterEsp = 0;
  sysenterEip = 0;
  /** 32-bit code segment default (CS.D) → operand/address size 4, else 2. */
  codeSize: 2 | 4 = 4;
  /** Instructions retired, for --max-insns, --icount and statistics (a double: exact to 2^53). */
  icount = 0;
  /**
   * Instructions translated code may still retire before it must return to
   * the dispatcher (interrupt checks, time slices, an exact --max-insns).
   * Each block entry charges its instruction count; a block that does not
   * fit leaves without running. Generated code keeps it in a local and
   * settles it with icount at every exit and VMM call.
   */
  budget = 0;
  /** Set by the monitor's hlt: the dispatcher waits for an event instead of running code. */
  halted = false;
}
