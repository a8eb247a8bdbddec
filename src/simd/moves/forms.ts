/**
 * The SIMD data-movement and state forms (movaps…movq, movnt*, maskmov*,
 * ldmxcsr/stmxcsr, fxsave/fxrstor, emms, the fences, the SSE3 duplicating
 * moves): their table rows. Filled in family by family.
 */
import type { SimdForm } from '../simd-form.js';

export const FORMS: readonly SimdForm[] = [];
