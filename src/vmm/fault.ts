/**
 * How emulation routines report outcomes that are not "carry on".
 *
 * A routine that finds the guest must take an exception throws GuestFault;
 * Monitor.emulate catches it and delivers the exception with EIP at the
 * faulting instruction (routines never write guest state before their last
 * check, so the state is still as before the instruction). A routine that
 * meets something btvm does not model (a 16-bit TSS, real mode)
 * throws UnsupportedGuestFeature, which ends the run with a clear report
 * rather than letting the guest go wrong silently. Both are rare paths, so a
 * throw per fault costs nothing that matters.
 */

export const enum Vector {
  DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8,
  TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19,
}

export const VECTOR_NAMES: Readonly<Record<number, string>> = {
  0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF',
  10: '#TS', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM',
};

/** Vectors whose exceptions push an error code (SDM Vol. 3A, 6.13). */
export const hasErrorCode = (v: number): boolean => v === 8 || (v >= 10 && v <= 14) || v === 17;

export class GuestFault extends Error {
  override readonly name = 'GuestFault';
  constructor(
    readonly vector: number,
    /** Error code, or -1 for exceptions without one. */
    readonly errorCode: number,
  ) {
    super(`${VECTOR_NAMES[vector] ?? `vector ${vector}`}${errorCode >= 0 ? `(0x${errorCode.toString(16)})` : ''}`);
  }
}

/** #GP with the given error code (0 unless a selector is at fault). */
export const gp = (errorCode = 0): GuestFault => new GuestFault(Vector.GP, errorCode & 0xffff);
export const ud = (): GuestFault => new GuestFault(Vector.UD, -1);
export const np = (errorCode: number): GuestFault => new GuestFault(Vector.NP, errorCode & 0xffff);
export const ss = (errorCode: number): GuestFault => new GuestFault(Vector.SS, errorCode & 0xffff);
export const ts = (errorCode: number): GuestFault => new GuestFault(Vector.TS, errorCode & 0xffff);

/** A guest feature btvm does not model: ends the run with this description. */
export class UnsupportedGuestFeature extends Error {
  override readonly name = 'UnsupportedGuestFeature';
  constructor(readonly feature: string, readonly eip: number) {
    super(`unsupported guest feature at eip=0x${(eip >>> 0).toString(16)}: ${feature}`);
  }
}
