/**
 * The IR: what the lifter produces, the passes rewrite and codegen compiles.
 *
 * A block is a straight-line list of ops over 32-bit temporaries, cut into
 * guest instructions by `insn` markers, and ended by exactly one exit. It is
 * deliberately small (see ops.ts for every op and docs/ir.md for their text
 * form), in the spirit of VEX and TCG:
 *
 *   - Every value is an int32. 8- and 16-bit guest operations are expressed by
 *     the lifter with masks and extensions; only loads, stores and the flags
 *     thunk carry a size.
 *   - Guest registers are read and written through `get`/`put` of a GuestSlot,
 *     so codegen is free to keep them in JS locals for a whole block or region.
 *   - EFLAGS' arithmetic bits are lazy: `flags.set` records a thunk (what
 *     operation, on which operands, giving which result) and `flags.get` asks
 *     for one condition. The flag-liveness pass deletes thunks nobody reads.
 *   - Memory operands are linear addresses: the lifter adds segment bases
 *     explicitly, so a pass can drop a base that the translation's mode says
 *     is zero.
 *
 * Precise exceptions rest on one rule the lifter keeps and verify.ts checks:
 * within one guest instruction, every op that may fault (load, store, raise,
 * emulate, helper calls marked mayFault) comes before every write of guest
 * state (put, flags.set). A fault therefore leaves the state exactly as it was
 * before the instruction, with EIP at it.
 */

/** A temporary: an index into the block's value numbering. */
export interface Temp {
  readonly kind: 'tmp';
  readonly id: number;
}

export interface Const {
  readonly kind: 'const';
  /** Always normalised to int32 (`|0`). */
  readonly value: number;
}

export type Value = Temp | Const;

/**
 * Guest state the IR can name directly. Everything else (control registers,
 * descriptor tables, segment loads) belongs to the VMM and is reached through
 * `emulate`.
 */
export type GuestSlot =
  | { readonly kind: 'gpr'; readonly reg: number } // 0..7, 32-bit
  | { readonly kind: 'segBase'; readonly seg: number } // read-only here
  | { readonly kind: 'segSel'; readonly seg: number } // read-only here
  /**
   * A limit-checked segment's window (read-only here; src/state/mode.ts derives
   * it with the mode word): offsets segFirst .. segFirst+segSpan-1 (mod 2^32)
   * are inside the segment; segSpan 0 means none is.
   */
  | { readonly kind: 'segFirst'; readonly seg: number }
  | { readonly kind: 'segSpan'; readonly seg: number }
  /** EFLAGS without OSZAPC (DF, IF, TF, IOPL, …). Bit 1 reads as 1. Writes of IF/IOPL go through the VMM. */
  | { readonly kind: 'eflagsSys' };

/** Lazy-flags thunk kinds: how OSZAPC are derived from (size, res, a, b, aux). See ops.ts. */
export type FlagKind =
  | 'explicit' // res holds OSZAPC as EFLAGS bits, already computed
  | 'add'
  | 'adc'
  | 'sub'
  | 'sbb'
  | 'logic'
  | 'inc'
  | 'dec'
  | 'shl'
  | 'shr'
  | 'sar'
  | 'rol'
  | 'ror'
  | 'mul';

/** Conditions flags.get can ask for: a single flag, or an x86 condition code (the cc of jcc/setcc/cmovcc). */
export type FlagCond =
  | 'cf'
  | 'pf'
  | 'af'
  | 'zf'
  | 'sf'
  | 'of'
  | 'o' | 'no' | 'b' | 'ae' | 'e' | 'ne' | 'be' | 'a'
  | 's' | 'ns' | 'p' | 'np' | 'l' | 'ge' | 'le' | 'g';

export type MemSize = 1 | 2 | 4;

/** Exit of a block: how control leaves it. */
export type Exit =
  /** Continue at a known address. */
  | { readonly kind: 'jump'; readonly target: number }
  /** Two-way: `cond` (0/1) chooses taken or fallthrough. */
  | { readonly kind: 'branch'; readonly cond: Value; readonly taken: number; readonly fallthrough: number }
  /** Computed target (ret, jmp r/m, call r/m). `hint` says why, for the fast return lookup. */
  | { readonly kind: 'indirect'; readonly target: Value; readonly hint: 'ret' | 'call' | 'jmp' }
  /**
   * Back to the dispatcher at `next`: after an emulate that may have changed
   * the translation mode (mov cr0, far jmp, iret…), or when a block is cut
   * for size or single-stepping.
   */
  | { readonly kind: 'dispatch'; readonly next: number };

export interface Block {
  /** Guest linear address of the first instruction. */
  readonly address: number;
  /** Opaque mode bits the block was translated under (see cache/). */
  readonly mode: number;
  readonly ops: Op[];
  exit: Exit;
  /** Number of temporaries allocated (ids are 0..tempCount-1). */
  tempCount: number;
  /** Guest bytes covered: [address, address+guestLength). */
  guestLength: number;
  guestInsns: number;
  /**
   * Bit r set: the block accesses memory through segment register r (its
   * checks and base depend on that register's class in `mode`). A region's
   * cache key leaves out the class of a register none of its blocks use
   * (src/state/mode.ts gsSharedMode). Absent: assume every register.
   */
  readonly segmentsUsed?: number;
}

// ---- ops -----------------------------------------------------------------

export type BinaryOpName =
  | 'add' | 'sub' | 'mul' | 'and' | 'or' | 'xor'
  | 'shl' | 'shr' | 'sar' | 'rol' | 'ror' // counts taken mod 32
  | 'umulhi' | 'smulhi' // high 32 bits of the 64-bit product
  | 'eq' | 'ne' | 'ltu' | 'leu' | 'lts' | 'les'; // → 0 or 1

export type UnaryOpName =
  | 'not' | 'neg'
  | 'sext8' | 'sext16' | 'zext8' | 'zext16'
  | 'bswap'
  | 'parity'; // 1 if the low byte has an even number of set bits (x86 PF)

export type Op =
  /** Start of a guest instruction; `text` is its disassembly, for dumps. */
  | { readonly op: 'insn'; readonly address: number; readonly length: number; readonly text: string }
  | { readonly op: 'get'; readonly dst: Temp; readonly slot: GuestSlot }
  | { readonly op: 'put'; readonly slot: GuestSlot; readonly src: Value }
  | { readonly op: 'mov'; readonly dst: Temp; readonly src: Value }
  | { readonly op: 'unary'; readonly name: UnaryOpName; readonly dst: Temp; readonly a: Value }
  | { readonly op: 'binary'; readonly name: BinaryOpName; readonly dst: Temp; readonly a: Value; readonly b: Value }
  | { readonly op: 'select'; readonly dst: Temp; readonly cond: Value; readonly a: Value; readonly b: Value }
  | { readonly op: 'load'; readonly dst: Temp; readonly size: MemSize; readonly addr: Value }
  | { readonly op: 'store'; readonly size: MemSize; readonly addr: Value; readonly src: Value }
  /**
   * Record the lazy-flags thunk. With `guard`, only when guard != 0 (shifts
   * by a count of zero leave the flags alone).
   */
  | {
      readonly op: 'flags.set';
      readonly kind: FlagKind;
      readonly size: MemSize;
      readonly res: Value;
      readonly a: Value;
      readonly b: Value;
      readonly aux: Value;
      readonly guard: Value | null;
    }
  | { readonly op: 'flags.get'; readonly dst: Temp; readonly cond: FlagCond }
  /** All of OSZAPC as EFLAGS bits (materialises the thunk). */
  | { readonly op: 'flags.all'; readonly dst: Temp }
  /**
   * A pure runtime helper (64-by-32 division, BCD adjust…): no guest state
   * touched. Results in dst (and dst2 for two-result helpers).
   */
  | { readonly op: 'helper'; readonly name: HelperName; readonly dst: Temp | null; readonly dst2: Temp | null; readonly args: readonly Value[] }
  /**
   * A call into the VMM for a privileged, sensitive or I/O instruction. The
   * VMM sees and may change all guest state (codegen writes registers back
   * before and reloads them after). `next` is the address of the following
   * instruction. If the routine reports an exception or a mode change, the
   * block ends there and the dispatcher takes over.
   */
  | { readonly op: 'emulate'; readonly routine: VmmRoutine; readonly args: readonly Value[]; readonly dst: Temp | null; readonly next: number }
  /** Raise a guest exception at the current instruction (state as before it). */
  | { readonly op: 'raise'; readonly vector: number; readonly errorCode: number | null; readonly cond: Value | null }
  /**
   * Side exit: when cond != 0, leave the block for guest address `target`
   * with the guest state as written so far (the ops after it do not run).
   * The lifter emits it only before any guest-state write of its instruction,
   * like a fault. Used by a rep string instruction whose count is zero at
   * entry: it must go straight to the next instruction without touching
   * memory, which no later op could undo.
   */
  | { readonly op: 'exitIf'; readonly cond: Value; readonly target: number };

/** Pure helpers codegen provides (see codegen/runtime). */
export type HelperName =
  | 'div64u' // (hi, lo, divisor) → quotient, remainder; caller checks divisor 0 and overflow via divOverflow
  | 'div64s'
  | 'div64uOverflow' // (hi, lo, divisor) → 1 if the quotient does not fit 32 bits unsigned
  | 'div64sOverflow';

/**
 * Routines of the VMM reachable from generated code. The list is the narrow
 * interface between translated code and the monitor; docs/ir.md describes
 * each routine's arguments.
 */
export type VmmRoutine =
  | 'cli' | 'sti' | 'hlt' | 'pushf' | 'popf'
  | 'in' | 'out' | 'ins' | 'outs'
  | 'cpuid' | 'rdtsc' | 'rdmsr' | 'wrmsr'
  | 'lgdt' | 'lidt' | 'sgdt' | 'sidt' | 'lldt' | 'sldt' | 'ltr' | 'str'
  | 'movToCr' | 'movFromCr' | 'movToDr' | 'movFromDr' | 'clts' | 'lmsw' | 'smsw'
  | 'loadSeg' | 'farJmp' | 'farCall' | 'farRet' | 'iret' | 'int' | 'into' | 'int3'
  | 'invlpg' | 'invd' | 'wbinvd'
  | 'lar' | 'lsl' | 'verr' | 'verw' | 'arpl'
  | 'sysenter' | 'sysexit'
  | 'fpu'
  | 'simd';
