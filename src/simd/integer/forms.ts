/**
 * The integer and bit-shuffling SIMD forms (MMX and SSE2 packed integers,
 * the SSE/SSE2 bitwise logic, shuffles, unpacks and mask moves): their
 * table rows. Filled in family by family.
 */
import type { SimdForm } from '../simd-form.js';

export const FORMS: readonly SimdForm[] = [];
