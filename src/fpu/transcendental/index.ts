/**
 * The x87 transcendental instructions, for the x87 unit to call: each in the
 * float80.ts calling convention (see each file for the instruction's own
 * outputs: two-result forms and C2).
 */
export { f2xm1 } from './f2xm1.js';
export { fyl2x, fyl2xp1 } from './log2.js';
export { fpatan } from './fpatan.js';
export { fcos, fptan, fsin, fsincos } from './trig.js';
