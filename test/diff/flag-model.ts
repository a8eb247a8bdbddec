/**
 * Which arithmetic flags the SDM leaves undefined, tracked through a
 * generated sequence so the comparison with the host CPU is exact wherever
 * the SDM defines the result.
 *
 * The generator keeps U, the set of flags whose value is undefined at the
 * current point. An instruction writes some flags with defined values
 * (removed from U) and leaves others undefined (added); isa/ records both
 * per form (flagsWritten, flagsUndefined). Shifts and rotates depend on the
 * count: a masked count of 0 changes no flag (so nothing is defined anew),
 * OF is defined only for a count of 1, and SHL/SHR leave CF undefined when
 * the count is at least the operand width (SDM Vol. 2B, SAL/SAR/SHL/SHR).
 * When the count is not known statically (a CL the generator did not set),
 * the instruction may or may not write: only additions to U are safe.
 * An instruction that reads a flag in U would compute an undefined result;
 * the generator puts a flag-defining instruction in front of it instead.
 */
import type { DecoderForm } from '../../src/decoder/form.js';
import { AF, CF, OF, OSZAPC } from '../support/harness-protocol.js';

export interface FlagEffect {
  /** Flags given defined values. */
  readonly defined: number;
  /** Flags left undefined. */
  readonly undefined: number;
}

const SHIFTS = new Set(['shl', 'shr', 'sar']);
const ROTATES = new Set(['rol', 'ror']);
const ROTATES_CARRY = new Set(['rcl', 'rcr']);
const DOUBLE_SHIFTS = new Set(['shld', 'shrd']);

export const isCountedShift = (mnemonic: string): boolean =>
  SHIFTS.has(mnemonic) || ROTATES.has(mnemonic) || ROTATES_CARRY.has(mnemonic) || DOUBLE_SHIFTS.has(mnemonic);

/**
 * The flag effect of one executed instruction of form `f` at operand size
 * `size` (bytes); `count` is the shift/rotate count when known, else null.
 * A string instruction with a rep prefix and a zero count writes nothing:
 * pass `writes = false` for it.
 */
export function flagEffect(f: DecoderForm, size: number, count: number | null, writes = true): FlagEffect {
  const written = f.flagsWritten & OSZAPC;
  const undef = f.flagsUndefined & OSZAPC;
  if (!writes) return { defined: 0, undefined: 0 };
  const m = f.mnemonic;
  if (!isCountedShift(m)) return { defined: written & ~undef, undefined: undef };
  const bits = size * 8;
  if (count === null) {
    // Count 0 keeps the old flags, any other count writes: only what may become undefined is certain.
    let mayUndef = OF | AF;
    if (SHIFTS.has(m) && m !== 'sar' && bits < 32) mayUndef |= CF;
    if (ROTATES.has(m) || ROTATES_CARRY.has(m)) mayUndef = OF;
    return { defined: 0, undefined: mayUndef };
  }
  const c = count & 31;
  if (c === 0) return { defined: 0, undefined: 0 };
  const of = c === 1 ? OF : 0;
  if (ROTATES.has(m) || ROTATES_CARRY.has(m)) return { defined: CF | of, undefined: OF & ~of };
  let def = (written & ~(OF | AF)) | of;
  let und = AF | (OF & ~of);
  if (SHIFTS.has(m) && m !== 'sar' && c >= bits) {
    def &= ~CF;
    und |= CF;
  }
  return { defined: def, undefined: und };
}

/** U after an instruction with effect `e`. */
export const applyEffect = (u: number, e: FlagEffect): number => (u & ~e.defined) | e.undefined;
