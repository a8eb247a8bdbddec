/**
 * The lazy-flags thunk semantics as JavaScript: the one place where a thunk
 * (kind, size, res, a, b, aux — see ir/ops.ts) becomes OSZAPC.
 *
 * Everything is expressed as source text over operand expressions, and used
 * twice:
 *   - inline by codegen, when a `flags.get` reads a thunk set earlier in the
 *     same block: the operands are temps, the kind and size are constants, so
 *     `cmp eax,ebx; jl` compiles to `(t0 < t1)` with no thunk at all;
 *   - compiled once, at module load, into the runtime materialiser
 *     `flagsOf(op, size, res, a, b, aux)` (a switch over every kind × size)
 *     that serves thunks whose kind is only known at run time (a flags.get in
 *     a later block, pushf, the VMM's `materializeFlags(cpu)`).
 * Because both come from the same expressions, they cannot disagree; the
 * tests check both against the host CPU (fixtures/native/harness).
 *
 * Expressions are JS booleans (or `false`/`true` literals, which the
 * combinators fold). Every thunk value is an int32 and is truncated to the
 * thunk's width before use, as ops.ts specifies. `PAR` must be in scope: the
 * parity table (1 = even number of set bits) from runtime.ts.
 */
import type { FlagCond, FlagKind, MemSize } from '../ir/types.js';
import { CcOp, type CpuState } from './state.js';

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
export const OSZAPC = CF | PF | AF | ZF | SF | OF;

/** Thunk kinds in CcOp order (the numbering CpuState.ccOp and generated code use). */
export const FLAG_KINDS: readonly FlagKind[] = [
  'explicit', 'add', 'adc', 'sub', 'sbb', 'logic', 'inc', 'dec', 'shl', 'shr', 'sar', 'rol', 'ror', 'mul',
];
export const ccOpOf = (kind: FlagKind): CcOp => FLAG_KINDS.indexOf(kind) as CcOp;

/** JS expressions (int32-valued) for the thunk's operands. */
export interface ThunkOperands {
  readonly res: string;
  readonly a: string;
  readonly b: string;
  readonly aux: string;
}

export type SingleFlag = 'cf' | 'pf' | 'af' | 'zf' | 'sf' | 'of';

const FLAG_BITS: Record<SingleFlag, number> = { cf: CF, pf: PF, af: AF, zf: ZF, sf: SF, of: OF };

// ---- boolean expression combinators that fold the literal cases ---------

const F = 'false', T = 'true';
function not(x: string): string {
  return x === F ? T : x === T ? F : `!${x}`;
}
function or(x: string, y: string): string {
  if (x === T || y === T) return T;
  if (x === F) return y;
  if (y === F) return x;
  return `(${x} || ${y})`;
}
/** x xor y for booleans. */
function xor(x: string, y: string): string {
  if (x === F) return y;
  if (y === F) return x;
  if (x === T) return not(y);
  if (y === T) return not(x);
  return `(${x} !== ${y})`;
}

// ---- width helpers --------------------------------------------------------

/** The width's value mask and sign bit, as int32 literals. */
function widths(size: MemSize): { n: number; mask: string; sign: string } {
  const n = size * 8;
  return { n, mask: size === 4 ? '-1' : String((1 << n) - 1), sign: String((1 << (n - 1)) | 0) };
}
/** x truncated to the width, unsigned. */
function u(size: MemSize, x: string): string {
  return size === 4 ? `(${x} >>> 0)` : `(${x} & ${widths(size).mask})`;
}
/** x truncated to the width, sign-extended. */
function s(size: MemSize, x: string): string {
  return size === 4 ? `(${x} | 0)` : `(${x} << ${32 - size * 8} >> ${32 - size * 8})`;
}
function msb(size: MemSize, x: string): string {
  return size === 4 ? `((${x} | 0) < 0)` : `((${x} & ${widths(size).sign}) !== 0)`;
}
function bit(x: string, mask: number): string {
  return `((${x} & ${mask}) !== 0)`;
}
/** x's truncated value equals the int32 literal v (given already truncated). */
function eqTrunc(size: MemSize, x: string, v: string): string {
  return size === 4 ? `((${x} | 0) === ${v})` : `((${x} & ${widths(size).mask}) === ${v})`;
}

/** One flag of a thunk whose kind and size are known. */
export function flagExpr(kind: FlagKind, size: MemSize, t: ThunkOperands, flag: SingleFlag): string {
  const { res, a, b, aux } = t;
  if (kind === 'explicit') return bit(res, FLAG_BITS[flag]);
  // rol/ror change only CF and OF; the rest come from the flags before (aux).
  if ((kind === 'rol' || kind === 'ror') && flag !== 'cf' && flag !== 'of') return bit(aux, FLAG_BITS[flag]);
  switch (flag) {
    case 'zf': return eqTrunc(size, res, '0');
    case 'sf': return msb(size, res);
    case 'pf': return `(PAR[${res} & 255] !== 0)`;
    case 'cf': return carry(kind, size, t);
    case 'af':
      switch (kind) {
        case 'add': case 'adc': case 'sub': case 'sbb': return bit(`(${a} ^ ${b} ^ ${res})`, AF);
        // b is 1, whose bit 4 is clear.
        case 'inc': case 'dec': return bit(`(${a} ^ ${res})`, AF);
        default: return F; // logic, shifts, mul: undefined on hardware; btvm says 0
      }
    case 'of':
      switch (kind) {
        case 'add': case 'adc': return msb(size, `((${a} ^ ${res}) & (${b} ^ ${res}))`);
        case 'sub': case 'sbb': return msb(size, `((${a} ^ ${b}) & (${a} ^ ${res}))`);
        case 'inc': return eqTrunc(size, res, widths(size).sign);
        case 'dec': return eqTrunc(size, a, widths(size).sign);
        case 'shl': return xor(msb(size, res), carry(kind, size, t));
        case 'shr': return msb(size, a);
        case 'rol': return xor(msb(size, res), bit(res, 1));
        case 'ror': return msb(size, `(${res} ^ (${res} << 1))`);
        case 'mul': return `(${aux} !== 0)`;
        default: return F; // logic, sar
      }
  }
}

function carry(kind: FlagKind, size: MemSize, t: ThunkOperands): string {
  const { res, a, b, aux } = t;
  const withCarryIn = (lt: string, le: string): string =>
    aux === '0' ? lt : aux === '1' ? le : `(${aux} !== 0 ? ${le} : ${lt})`;
  switch (kind) {
    case 'add': return `(${u(size, res)} < ${u(size, a)})`;
    case 'adc': return withCarryIn(`(${u(size, res)} < ${u(size, a)})`, `(${u(size, res)} <= ${u(size, a)})`);
    case 'sub': return `(${u(size, a)} < ${u(size, b)})`;
    case 'sbb': return withCarryIn(`(${u(size, a)} < ${u(size, b)})`, `(${u(size, a)} <= ${u(size, b)})`);
    case 'inc': case 'dec': case 'mul': return `(${aux} !== 0)`;
    // The last bit shifted out: bit n-count of a for shl, bit count-1 for shr/sar.
    case 'shl': return msb(size, `(${u(size, a)} << (${b} - 1))`);
    case 'shr': return bit(`(${u(size, a)} >>> (${b} - 1))`, 1);
    case 'sar': return bit(`(${s(size, a)} >> (${b} - 1))`, 1);
    case 'rol': return bit(res, 1);
    case 'ror': return msb(size, res);
    default: return F; // logic
  }
}

/** An x86 condition (or single flag) of a thunk whose kind and size are known. */
export function condExpr(kind: FlagKind, size: MemSize, t: ThunkOperands, cond: FlagCond): string {
  // cmp/sub: compare the operands directly, which is what makes cmp+jcc cheap.
  if (kind === 'sub') {
    const ua = u(size, t.a), ub = u(size, t.b), sa = s(size, t.a), sb = s(size, t.b);
    switch (cond) {
      case 'e': case 'zf': return `(${ua} === ${ub})`;
      case 'ne': return `(${ua} !== ${ub})`;
      case 'be': return `(${ua} <= ${ub})`;
      case 'a': return `(${ua} > ${ub})`;
      case 'ae': return `(${ua} >= ${ub})`;
      case 'l': return `(${sa} < ${sb})`;
      case 'ge': return `(${sa} >= ${sb})`;
      case 'le': return `(${sa} <= ${sb})`;
      case 'g': return `(${sa} > ${sb})`;
      default: break;
    }
  }
  const f = (x: SingleFlag): string => flagExpr(kind, size, t, x);
  switch (cond) {
    case 'cf': case 'pf': case 'af': case 'zf': case 'sf': case 'of': return f(cond);
    case 'o': return f('of');
    case 'no': return not(f('of'));
    case 'b': return f('cf');
    case 'ae': return not(f('cf'));
    case 'e': return f('zf');
    case 'ne': return not(f('zf'));
    case 'be': return or(f('cf'), f('zf'));
    case 'a': return not(or(f('cf'), f('zf')));
    case 's': return f('sf');
    case 'ns': return not(f('sf'));
    case 'p': return f('pf');
    case 'np': return not(f('pf'));
    case 'l': return xor(f('sf'), f('of'));
    case 'ge': return not(xor(f('sf'), f('of')));
    case 'le': return or(f('zf'), xor(f('sf'), f('of')));
    case 'g': return not(or(f('zf'), xor(f('sf'), f('of'))));
  }
}

/** All of OSZAPC as EFLAGS bits, for a thunk whose kind and size are known. */
export function allFlagsExpr(kind: FlagKind, size: MemSize, t: ThunkOperands): string {
  if (kind === 'explicit') return `(${t.res} & ${OSZAPC})`;
  const parts: string[] = [];
  for (const flag of ['cf', 'pf', 'af', 'zf', 'sf', 'of'] as const) {
    const e = flagExpr(kind, size, t, flag);
    if (e !== F) parts.push(`(${e} ? ${FLAG_BITS[flag]} : 0)`);
  }
  return parts.length === 0 ? '0' : `(${parts.join(' | ')})`;
}

// ---- the runtime materialiser ------------------------------------------------

/** OSZAPC of a thunk whose kind is only known at run time (the same semantics, compiled once). */
export type FlagsOf = (op: number, size: number, res: number, a: number, b: number, aux: number) => number;

/** The source of the materialiser: a switch on op*8+size over every kind and width. */
export function flagsOfSource(): string {
  const names: ThunkOperands = { res: 'res', a: 'a', b: 'b', aux: 'aux' };
  const cases: string[] = [];
  FLAG_KINDS.forEach((kind, op) => {
    for (const size of [1, 2, 4] as const) {
      cases.push(`    case ${op * 8 + size}: return ${allFlagsExpr(kind, size, names)};`);
    }
  });
  return [
    'return function flagsOf(op, size, res, a, b, aux) {',
    '  switch (op * 8 + size) {',
    ...cases,
    '    default: return res & ' + OSZAPC + ';',
    '  }',
    '};',
  ].join('\n');
}

/**
 * The source of one condition's materialiser: the same switch, but each case
 * computes only what the condition needs (CF for `inc`'s carry-in, SF≠OF for
 * `jl`), which is several times cheaper than all six flags.
 */
export function condOfSource(cond: FlagCond): string {
  const names: ThunkOperands = { res: 'res', a: 'a', b: 'b', aux: 'aux' };
  const cases: string[] = [];
  FLAG_KINDS.forEach((kind, op) => {
    for (const size of [1, 2, 4] as const) {
      cases.push(`    case ${op * 8 + size}: return ${condExpr(kind, size, names, cond)} ? 1 : 0;`);
    }
  });
  return [
    `return function cond_${cond}(op, size, res, a, b, aux) {`,
    '  switch (op * 8 + size) {',
    ...cases,
    `    default: return ${condExpr('explicit', 4, names, cond)} ? 1 : 0;`,
    '  }',
    '};',
  ].join('\n');
}

/** Parity table: PAR[b] = 1 when byte b has an even number of set bits (x86 PF). */
export const PARITY = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let x = i;
    x ^= x >>> 4;
    x ^= x >>> 2;
    x ^= x >>> 1;
    t[i] = (x & 1) ^ 1;
  }
  return t;
})();

export const flagsOf: FlagsOf = new Function('PAR', flagsOfSource())(PARITY) as FlagsOf;

const FLAG_CONDS: readonly FlagCond[] = [
  'cf', 'pf', 'af', 'zf', 'sf', 'of', 'o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g',
];

/**
 * Per-condition materialisers, 0 or 1, for a thunk whose kind is only known
 * at run time: what generated code calls (`CONDS.l(ccOp, …)`) for a
 * flags.get that no static thunk kind reaches.
 */
export const CONDS: Readonly<Record<FlagCond, FlagsOf>> = Object.freeze(Object.fromEntries(
  FLAG_CONDS.map((c) => [c, new Function('PAR', condOfSource(c))(PARITY) as FlagsOf]),
) as Record<FlagCond, FlagsOf>);

/** EFLAGS' OSZAPC bits of the CPU's current thunk (for the VMM: pushf, interrupts, dumps). */
export function materializeFlags(cpu: CpuState): number {
  return flagsOf(cpu.ccOp, cpu.ccSize, cpu.ccRes, cpu.ccA, cpu.ccB, cpu.ccAux);
}

/** Replace the thunk by explicit OSZAPC bits (for the VMM: popf, iret, sahf-like writes). */
export function setExplicitFlags(cpu: CpuState, eflags: number): void {
  cpu.ccOp = CcOp.Explicit;
  cpu.ccSize = 4;
  cpu.ccRes = eflags & OSZAPC;
  cpu.ccA = 0;
  cpu.ccB = 0;
  cpu.ccAux = 0;
}

/** The full EFLAGS image the guest would see: the system bits plus the materialised OSZAPC. */
export function eflagsOf(cpu: CpuState): number {
  return ((cpu.eflagsSys & ~OSZAPC) | 2 | materializeFlags(cpu)) >>> 0;
}
