/**
 * The catalogue of x87 instruction forms the unit's differential test runs,
 * with random case generators: FPU states (TOP, empty and full registers,
 * operand values biased to the special ones, every RC and PC, some
 * exceptions unmasked, sometimes one already pending) and memory operands
 * in each format (reals, integers, BCD, environment and save images).
 */
import { randomF80, randomFcw, type Rand } from './softfloat-operands.js';
import type { X87Case, X87State } from '../support/x87-oracle.js';

export interface Form {
  name: string;
  /** The instruction bytes (register forms pick ST(i) at random). */
  code: (r: Rand) => number[];
  /** Initial memory at [ebx], when the form has a memory operand. */
  mem?: (r: Rand) => Uint8Array;
  /** ST(0), ST(1) here give results only within an ulp of the host (the transcendentals). */
  approximate?: boolean;
  /** Bytes of the buffer the host fills with state the unit does not own (FXSAVE's SSE part). */
  foreignBytes?: [number, number][];
}

const bytesOf = (...words: [number, number][]): Uint8Array => {
  const out: number[] = [];
  for (const [v, n] of words) for (let i = 0; i < n; i++) out.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
  return Uint8Array.from(out);
};

function f80Bytes(v: readonly number[]): Uint8Array {
  return bytesOf([v[2]!, 4], [v[1]!, 4], [v[0]!, 2]);
}

/** A float32 biased to zeros, infinities, NaNs (both kinds, random payloads), denormals and the range ends. */
export function randomFloat32(r: Rand): number {
  const sign = r() & 0x80000000;
  switch (r() % 10) {
    case 0: return sign >>> 0;
    case 1: return (sign | 0x7f800000) >>> 0;
    case 2: return (sign | 0x7f800000 | (r() & 0x7fffff) | 1) >>> 0;
    case 3: return (sign | (r() & (r() % 2 ? 0x7fffff : 0xff))) >>> 0;
    case 4: return (sign | [0x00800000, 0x7f7fffff, 0x3f800000, 0x4b000000][r() % 4]!) >>> 0;
    default: return (sign | (r() % 0x7f800000)) >>> 0;
  }
}

/** A float64 as [high word, low word], biased like randomFloat32. */
export function randomFloat64(r: Rand): [number, number] {
  const sign = r() & 0x80000000;
  switch (r() % 10) {
    case 0: return [sign >>> 0, 0];
    case 1: return [(sign | 0x7ff00000) >>> 0, 0];
    case 2: return [(sign | 0x7ff00000 | (r() & 0xfffff)) >>> 0, r() | 1];
    case 3: return [(sign | (r() & (r() % 2 ? 0xfffff : 0))) >>> 0, r() % 2 ? r() : 1];
    case 4: return [(sign | [0x00100000, 0x7fefffff, 0x3ff00000, 0x43300000][r() % 4]!) >>> 0, r() % 2 ? 0 : 0xffffffff];
    default: return [(sign | (r() % 0x7ff00000)) >>> 0, r()];
  }
}

/** An integer of `bytes` bytes, biased to 0, ±1, the extremes and small values. */
function randomInt(r: Rand, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const k = r() % 6;
  for (let i = 0; i < bytes; i++) {
    const top = i === bytes - 1;
    out[i] = k === 0 ? 0 : k === 1 ? 0xff : k === 2 ? (top ? 0x80 : 0) : k === 3 ? (top ? 0x7f : 0xff) : k === 4 ? (i === 0 ? r() : 0) : r();
  }
  return out;
}

/** Packed BCD: 18 digits and a sign byte, sometimes with non-decimal nibbles or stray sign bits. */
function randomBcd(r: Rand): Uint8Array {
  const out = new Uint8Array(10);
  const digits = r() % 19;
  const wild = r() % 8 === 0;
  for (let d = 0; d < digits; d++) {
    const nib = wild ? r() % 16 : r() % 10;
    out[d >> 1]! |= nib << (4 * (d & 1));
  }
  out[9] = r() % 2 ? 0x80 : 0;
  if (r() % 10 === 0) out[9] |= r() & 0x7f;
  return out;
}

/** A random state: TOP anywhere, registers mostly full, flags and pointers random, now and then a pending exception. */
export function randomState(r: Rand): X87State {
  const top = r() % 8;
  const st = new Uint32Array(24);
  let ftw = 0;
  const fullUpTo = r() % 4 === 0 ? r() % 9 : 8;
  let prev: number[] | undefined;
  for (let i = 0; i < 8; i++) {
    const v = randomF80(r, prev);
    st.set(v, 3 * i);
    prev = i === 0 ? v : prev;
    const empty = i >= fullUpTo || r() % 12 === 0;
    ftw |= (empty ? 3 : 0) << (2 * ((top + i) & 7));
  }
  let fcw = randomFcw(r);
  let flags = r() % 3 === 0 ? r() & 0x7f & (fcw | 0x40) : 0;
  if (r() % 25 === 0) {
    fcw &= ~0x3f | (r() & 0x3f);
    flags = r() & 0x7f;
  }
  const es = (flags & ~fcw & 0x3f) !== 0 ? 0x8080 : 0;
  const fsw = (r() & 0x4700) | (top << 11) | flags | es;
  return { fcw, fsw, ftw, fip: r(), fcs: r() & 0xffff, fop: r() & 0x7ff, fdp: r(), fds: r() & 0xffff, st };
}

const reg = (op: number, base: number) => (r: Rand) => [op, base | (r() % 8)];
const fixed = (...b: number[]) => () => b;
/** ModRM for [ebx] with ModRM.reg = n. */
const mem = (op: number, n: number, o16 = false) => () => (o16 ? [0x66, op, (n << 3) | 3] : [op, (n << 3) | 3]);

const m32 = (r: Rand) => bytesOf([randomFloat32(r), 4]);
const m64 = (r: Rand) => {
  const [hi, lo] = randomFloat64(r);
  return bytesOf([lo, 4], [hi, 4]);
};
const m80 = (r: Rand) => f80Bytes(randomF80(r));
const blank = (n: number) => () => new Uint8Array(n);

/** An environment (+ registers for a save image) of the given layout, with random contents. */
function envImage(o32: boolean, withRegs: boolean) {
  return (r: Rand): Uint8Array => {
    const s = randomState(r);
    const w = o32 ? 4 : 2;
    const head = o32
      ? bytesOf([s.fcw | 0xffff0000, 4], [s.fsw | 0xffff0000, 4], [s.ftw | 0xffff0000, 4], [s.fip, 4],
        [s.fcs | (s.fop << 16), 4], [s.fdp, 4], [s.fds | 0xffff0000, 4])
      : bytesOf([s.fcw, 2], [s.fsw, 2], [s.ftw, 2], [s.fip & 0xffff, 2], [s.fcs, 2], [s.fdp & 0xffff, 2], [s.fds, 2]);
    if (!withRegs) return head;
    const out = new Uint8Array(7 * w + 80);
    out.set(head);
    for (let i = 0; i < 8; i++) out.set(f80Bytes([...s.st.slice(3 * i, 3 * i + 3)]), 7 * w + 10 * i);
    return out;
  };
}

function fxImage(r: Rand): Uint8Array {
  const s = randomState(r);
  const out = new Uint8Array(512);
  let abridged = 0;
  for (let p = 0; p < 8; p++) if (((s.ftw >>> (2 * p)) & 3) !== 3) abridged |= 1 << p;
  out.set(bytesOf([s.fcw, 2], [s.fsw, 2], [abridged, 1], [0, 1], [s.fop, 2], [s.fip, 4], [s.fcs, 4], [s.fdp, 4],
    [s.fds, 4], [0x1f80, 4], [0xffff, 4]));
  for (let i = 0; i < 8; i++) out.set(f80Bytes([...s.st.slice(3 * i, 3 * i + 3)]), 32 + 16 * i);
  return out;
}

const ARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];
const TRANSCENDENTAL = new Set([0xf0, 0xf1, 0xf2, 0xf3, 0xf9, 0xfb, 0xfe, 0xff]);
const D9_NAMES: Record<number, string> = {
  0xe0: 'fchs', 0xe1: 'fabs', 0xe4: 'ftst', 0xe5: 'fxam', 0xe8: 'fld1', 0xe9: 'fldl2t', 0xea: 'fldl2e', 0xeb: 'fldpi',
  0xec: 'fldlg2', 0xed: 'fldln2', 0xee: 'fldz', 0xf0: 'f2xm1', 0xf1: 'fyl2x', 0xf2: 'fptan', 0xf3: 'fpatan',
  0xf4: 'fxtract', 0xf5: 'fprem1', 0xf6: 'fdecstp', 0xf7: 'fincstp', 0xf8: 'fprem', 0xf9: 'fyl2xp1', 0xfa: 'fsqrt',
  0xfb: 'fsincos', 0xfc: 'frndint', 0xfd: 'fscale', 0xfe: 'fsin', 0xff: 'fcos',
};

export const FORMS: Form[] = [
  ...ARITH.map((n, i) => ({ name: `${n} m32`, code: mem(0xd8, i), mem: m32 })),
  ...ARITH.map((n, i) => ({ name: `${n} st,st(i)`, code: reg(0xd8, 0xc0 | (i << 3)) })),
  ...ARITH.map((n, i) => ({ name: `fi${n.slice(1)} m32int`, code: mem(0xda, i), mem: (r: Rand) => randomInt(r, 4) })),
  ...ARITH.map((n, i) => ({ name: `${n} m64`, code: mem(0xdc, i), mem: m64 })),
  ...ARITH.map((n, i) => ({ name: `dc ${n === 'fsub' ? 'fsubr' : n === 'fsubr' ? 'fsub' : n === 'fdiv' ? 'fdivr' : n === 'fdivr' ? 'fdiv' : n} st(i),st`, code: reg(0xdc, 0xc0 | (i << 3)) })),
  ...ARITH.map((n, i) => ({ name: `fi${n.slice(1)} m16int`, code: mem(0xde, i), mem: (r: Rand) => randomInt(r, 2) })),
  ...ARITH.map((n, i) => ({ name: `de /${i} (${n}p)`, code: i === 3 ? fixed(0xde, 0xd9) : reg(0xde, 0xc0 | (i << 3)) })),

  { name: 'fld m32', code: mem(0xd9, 0), mem: m32 },
  { name: 'fst m32', code: mem(0xd9, 2), mem: blank(4) },
  { name: 'fstp m32', code: mem(0xd9, 3), mem: blank(4) },
  { name: 'fldenv', code: mem(0xd9, 4), mem: envImage(true, false) },
  { name: 'fldenvw', code: mem(0xd9, 4, true), mem: envImage(false, false) },
  { name: 'fldcw', code: mem(0xd9, 5), mem: (r) => bytesOf([r() % 2 ? r() : (r() & 0xf3f) | 0x40, 2]) },
  { name: 'fnstenv', code: mem(0xd9, 6), mem: blank(28) },
  { name: 'fnstenvw', code: mem(0xd9, 6, true), mem: blank(14) },
  { name: 'fnstcw', code: mem(0xd9, 7), mem: blank(2) },
  { name: 'fld st(i)', code: reg(0xd9, 0xc0) },
  { name: 'fxch', code: reg(0xd9, 0xc8) },
  { name: 'fnop', code: fixed(0xd9, 0xd0) },
  { name: 'fstp1 (d9 d8+i)', code: reg(0xd9, 0xd8) },
  ...Object.entries(D9_NAMES).map(([m, name]) => ({
    name, code: fixed(0xd9, Number(m)), approximate: TRANSCENDENTAL.has(Number(m)),
  })),

  ...['fcmovb', 'fcmove', 'fcmovbe', 'fcmovu'].map((name, i) => ({ name, code: reg(0xda, 0xc0 | (i << 3)) })),
  { name: 'fucompp', code: fixed(0xda, 0xe9) },

  { name: 'fild m32', code: mem(0xdb, 0), mem: (r) => randomInt(r, 4) },
  { name: 'fisttp m32', code: mem(0xdb, 1), mem: blank(4) },
  { name: 'fist m32', code: mem(0xdb, 2), mem: blank(4) },
  { name: 'fistp m32', code: mem(0xdb, 3), mem: blank(4) },
  { name: 'fld m80', code: mem(0xdb, 5), mem: m80 },
  { name: 'fstp m80', code: mem(0xdb, 7), mem: blank(10) },
  ...['fcmovnb', 'fcmovne', 'fcmovnbe', 'fcmovnu'].map((name, i) => ({ name, code: reg(0xdb, 0xc0 | (i << 3)) })),
  { name: 'fneni/fndisi/fnsetpm', code: (r) => [0xdb, [0xe0, 0xe1, 0xe4][r() % 3]!] },
  { name: 'fnclex', code: fixed(0xdb, 0xe2) },
  { name: 'fninit', code: fixed(0xdb, 0xe3) },
  { name: 'fucomi', code: reg(0xdb, 0xe8) },
  { name: 'fcomi', code: reg(0xdb, 0xf0) },

  { name: 'fld m64', code: mem(0xdd, 0), mem: m64 },
  { name: 'fisttp m64', code: mem(0xdd, 1), mem: blank(8) },
  { name: 'fst m64', code: mem(0xdd, 2), mem: blank(8) },
  { name: 'fstp m64', code: mem(0xdd, 3), mem: blank(8) },
  { name: 'frstor', code: mem(0xdd, 4), mem: envImage(true, true) },
  { name: 'frstorw', code: mem(0xdd, 4, true), mem: envImage(false, true) },
  { name: 'fnsave', code: mem(0xdd, 6), mem: blank(108) },
  { name: 'fnsavew', code: mem(0xdd, 6, true), mem: blank(94) },
  { name: 'fnstsw m16', code: mem(0xdd, 7), mem: blank(2) },
  { name: 'ffree', code: reg(0xdd, 0xc0) },
  { name: 'fxch4 (dd c8+i)', code: reg(0xdd, 0xc8) },
  { name: 'fst st(i)', code: reg(0xdd, 0xd0) },
  { name: 'fstp st(i)', code: reg(0xdd, 0xd8) },
  { name: 'fucom', code: reg(0xdd, 0xe0) },
  { name: 'fucomp', code: reg(0xdd, 0xe8) },

  { name: 'fild m16', code: mem(0xdf, 0), mem: (r) => randomInt(r, 2) },
  { name: 'fisttp m16', code: mem(0xdf, 1), mem: blank(2) },
  { name: 'fist m16', code: mem(0xdf, 2), mem: blank(2) },
  { name: 'fistp m16', code: mem(0xdf, 3), mem: blank(2) },
  { name: 'fbld', code: mem(0xdf, 4), mem: randomBcd },
  { name: 'fild m64', code: mem(0xdf, 5), mem: (r) => randomInt(r, 8) },
  { name: 'fbstp', code: mem(0xdf, 6), mem: blank(10) },
  { name: 'fistp m64', code: mem(0xdf, 7), mem: blank(8) },
  { name: 'ffreep', code: reg(0xdf, 0xc0) },
  { name: 'fxch7 (df c8+i)', code: reg(0xdf, 0xc8) },
  { name: 'fstp8/fstp9 (df d0+i)', code: reg(0xdf, 0xd0) },
  { name: 'fnstsw ax', code: fixed(0xdf, 0xe0) },
  { name: 'fucomip', code: reg(0xdf, 0xe8) },
  { name: 'fcomip', code: reg(0xdf, 0xf0) },

  { name: 'fxsave', code: fixed(0x0f, 0xae, 0x03), mem: blank(512), foreignBytes: [[24, 32], [160, 512]] },
  { name: 'fxrstor', code: fixed(0x0f, 0xae, 0x0b), mem: fxImage },
  { name: 'fwait', code: fixed(0x9b) },
];

/** One random case of `form`. */
export function randomCase(form: Form, r: Rand): X87Case {
  return {
    state: randomState(r),
    code: Uint8Array.from(form.code(r)),
    mem: form.mem?.(r),
    eax: r(),
    eflags: r() & 0x8d5,
  };
}
