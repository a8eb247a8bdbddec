/**
 * The floating-point SIMD forms (SSE, SSE2 and SSE3 arithmetic, compares,
 * conversions and approximations under MXCSR): their table rows. Filled in
 * family by family.
 */
import type { SimdForm } from '../simd-form.js';

export const FORMS: readonly SimdForm[] = [];
