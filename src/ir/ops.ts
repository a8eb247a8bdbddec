/**
 * The op table: the one place each IR op's properties are declared.
 *
 * Passes ask this table, never a list of their own, whether an op may be
 * removed (no side effects), moved across another (may fault) or whether it
 * writes guest state. docs/ir.md documents each op's text form and meaning.
 *
 * Flags thunk semantics (flags.set kind, size s in bytes, bits n = 8*s; every
 * value is truncated to n bits before use; msb = bit n-1):
 *   explicit  OSZAPC are the EFLAGS bits of res (a, b, aux unused).
 *   add       res = a + b.        CF = carry out, OF = signed overflow, AF = carry from bit 3.
 *   adc       res = a + b + aux.  aux is the carry in (0/1).
 *   sub       res = a - b.        CF = borrow (a <u b), OF, AF = borrow into bit 4 (cmp, neg as 0 - b, cmpxchg).
 *   sbb       res = a - b - aux.
 *   logic     res only.           CF = OF = 0, AF = 0 (undefined on hardware).
 *   inc/dec   res = a ± 1.        CF = aux (the carry flag before, kept).
 *   shl/shr/sar  a = value shifted, b = count (1..31 after masking; count 0 is filtered by guard).
 *             CF = last bit shifted out; OF = for shl msb(res) xor CF, for shr msb(a), for sar 0.
 *   rol/ror   res = rotated value, aux = OSZAPC before (only CF and OF change).
 *             rol: CF = bit 0 of res, OF = msb(res) xor CF; ror: CF = msb(res), OF = the two top bits of res xor'd.
 *   mul       res = low part, aux = 1 if the high part is significant (CF = OF = aux).
 * SF, ZF, PF always come from res (PF: low byte only) except for explicit and rol/ror.
 */
import type { Op } from './types.js';

export interface OpInfo {
  /** May raise a guest exception (must precede guest-state writes in its instruction). */
  readonly mayFault: boolean;
  /** Has an effect besides its result temps: never removed by DCE. */
  readonly sideEffects: boolean;
  /** Writes guest state (registers, flags thunk, memory). */
  readonly writesState: boolean;
}

const pure: OpInfo = { mayFault: false, sideEffects: false, writesState: false };

export const OP_INFO: { readonly [K in Op['op']]: OpInfo } = {
  insn: { mayFault: false, sideEffects: true, writesState: false },
  get: pure,
  put: { mayFault: false, sideEffects: true, writesState: true },
  mov: pure,
  unary: pure,
  binary: pure,
  select: pure,
  // Loads can fault once paging or segment limits are on; DCE may still drop
  // a dead load only when the mode guarantees it cannot fault (see dce.ts).
  load: { mayFault: true, sideEffects: false, writesState: false },
  store: { mayFault: true, sideEffects: true, writesState: true },
  'flags.set': { mayFault: false, sideEffects: true, writesState: true },
  'flags.get': pure,
  'flags.all': pure,
  helper: pure,
  emulate: { mayFault: true, sideEffects: true, writesState: true },
  raise: { mayFault: true, sideEffects: true, writesState: false },
  // Leaves the block like a fault does: nothing may move across it and it
  // must precede the guest-state writes of its instruction.
  exitIf: { mayFault: true, sideEffects: true, writesState: false },
};

/** The x86 condition codes in encoding order (the low nibble of jcc/setcc/cmovcc). */
export const CONDITION_CODES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'] as const;
