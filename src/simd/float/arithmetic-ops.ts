/** The operation codes of the arithmetic lanes (arithmetic.ts, fast-path.ts, horizontal.ts), as the forms table passes them. */
export const ADD = 0;
export const SUB = 1;
export const MUL = 2;
export const DIV = 3;
export const SQRT = 4;
