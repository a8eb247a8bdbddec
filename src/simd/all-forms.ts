/**
 * Every SIMD form btvm knows, from all the families: what the unit's
 * dispatcher indexes and what the differential tests enumerate.
 */
import { FORMS as FLOAT } from './float/forms.js';
import { FORMS as INTEGER } from './integer/forms.js';
import { FORMS as MOVES } from './moves/forms.js';
import type { SimdForm } from './simd-form.js';

export const ALL_FORMS: readonly SimdForm[] = [...INTEGER, ...FLOAT, ...MOVES];
