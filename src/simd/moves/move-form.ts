/**
 * The forms of this family the unit handles by name (SimdForm.special):
 * what each one is, for the unit's dispatcher (simd/unit/special-forms.ts).
 *
 * A store (movaps m128/xmm, xmm; movd r/m32, mm; movntq; movhps m64, xmm …)
 * moves ModRM.reg to ModRM.rm — the reverse of the A ← f(A, B) pattern —
 * and writes memory, so it is special: `a` is the kind of the source
 * (ModRM.reg), `b` the kind of the destination register when mod = 3,
 * `memBytes` the bytes stored (from `sourceOffset` in the source). A register
 * destination wider than memBytes keeps its upper bytes (movss, movsd)
 * unless `zeroUpper` (movq xmm/m64, xmm zeroes the upper qword).
 */
import type { SimdForm } from '../simd-form.js';

export const enum Special {
  /** ModRM.reg → ModRM.rm (register or memory). */
  STORE = 1,
  /** maskmovq/maskmovdqu: bytes of ModRM.reg whose ModRM.rm mask byte has bit 7 set, to DS:(E)DI. */
  MASKMOV = 2,
  LDMXCSR = 3,
  STMXCSR = 4,
  FXSAVE = 5,
  FXRSTOR = 6,
  /** Empties every x87 tag. */
  EMMS = 7,
}

export interface MoveForm extends SimdForm {
  readonly kind: Special;
  /** STORE to a register wider than memBytes: clear the bytes above (else they are kept). */
  readonly zeroUpper: boolean;
  /** STORE: the first byte of the source stored (8 for movhps/movhpd, which store the high qword). */
  readonly sourceOffset: number;
}

/** The special kind of `f`, or 0 when it is an ordinary A ← f(A, B) row. */
export function specialKind(f: SimdForm): number {
  return f.special === true && 'kind' in f ? (f as MoveForm).kind : 0;
}
