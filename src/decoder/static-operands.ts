/**
 * Shared operand arrays for register-only instructions.
 *
 * When every operand of a row is a register (push ebp, mov eax,ecx, xor
 * eax,eax, fxch st(1)), the operand array is a function of the row, the
 * ModRM reg/rm fields, the operand size and VEX.vvvv — nothing else. The
 * decoder (decode.ts) builds such an array once, freezes it, and hands the
 * same array to every later instruction with that key, so these
 * instructions allocate nothing but their DecodedInsn.
 *
 * A row qualifies 'always' when no operand can be memory or carries bytes
 * of its own, or 'when mod = 11' when its r/m operands (E, M, Q, W) are
 * registers because ModRM.mod is 3. Segment-register operands (S) never
 * qualify: they also decide whether the encoding is defined.
 */
import type { DecoderForm } from './form.js';
import { OpKind } from './operand-specs.js';

export const STATIC_NEVER = 0;
export const STATIC_ALWAYS = 1;
export const STATIC_IF_REG = 2;

/** STATIC_* for a row. */
export function classifyStatic(f: DecoderForm): number {
  let kind = f.ops.length > 0 ? STATIC_ALWAYS : STATIC_NEVER;
  for (const s of f.ops) {
    switch (s.kind) {
      case OpKind.R: case OpKind.H: case OpKind.G: case OpKind.C: case OpKind.D: case OpKind.T: case OpKind.Z:
      case OpKind.Fixed: case OpKind.One: case OpKind.STi: case OpKind.P: case OpKind.N: case OpKind.V: case OpKind.U:
      case OpKind.Vvvv:
        break;
      case OpKind.E: case OpKind.M: case OpKind.Q: case OpKind.W:
        kind = STATIC_IF_REG;
        break;
      default:
        return STATIC_NEVER;
    }
  }
  // ignoresMod rows (mov crN) read r/m as a register whatever mod says; E beside them would not be static.
  return kind === STATIC_IF_REG && f.ignoresMod ? STATIC_NEVER : kind;
}

/**
 * The cache key: ModRM reg and rm (mod is 3 or irrelevant), 16-bit operand
 * size, VEX.vvvv + 1. modrm is -1 for rows without ModRM (a constant for the
 * row); vexReg is -1 outside VEX, so legacy rows use keys below
 * STATIC_KEYS_LEGACY and VEX rows below STATIC_KEYS.
 */
export function staticKey(modrm: number, opSize: number, vexReg: number): number {
  return (modrm & 0x3f) | (opSize === 2 ? 64 : 0) | ((vexReg + 1) << 7);
}

export const STATIC_KEYS_LEGACY = 128;
export const STATIC_KEYS = 9 * 128;
