/**
 * Differential test of the softfloat conversions and compares against the
 * host CPU: FST m32/m64, FIST/FISTTP m16/m32/m64, FBSTP (ST(0) stored to the
 * buffer), FLD m32/m64, FILD, FBLD (memory loaded into ST(0)), and FCOM,
 * FUCOM, FCOMI, FUCOMI, FTST (condition codes or EFLAGS). Random operands
 * biased to the special values, every rounding mode and precision control,
 * some exceptions unmasked; memory bytes / ST(0), the exception bits and the
 * condition codes must match bit for bit. X87_CASES sets the number of
 * cases per form (default 400).
 */
import { describe, expect, it } from 'vitest';
import { C0, C1, C2, C3, EXC_MASK, f80Hex } from '../../src/fpu/float80.js';
import { fromBcd, toBcd } from '../../src/fpu/softfloat/bcd.js';
import { compare80 } from '../../src/fpu/softfloat/compare.js';
import { fromFloat32, fromFloat64, toFloat32, toFloat64 } from '../../src/fpu/softfloat/convert-float.js';
import { fromInt64, toInt } from '../../src/fpu/softfloat/convert-int.js';
import { xorshift32 } from '../support/xorshift32.js';
import { haveX87Oracle, runX87, stackState, X87_ORACLE_MISSING, type X87Case } from '../support/x87-oracle.js';
import { randomF80, randomFcw, type Rand } from './softfloat-operands.js';

const ok = haveX87Oracle();
if (!ok) console.log(`skipping: ${X87_ORACLE_MISSING}`);
const CASES = Number(process.env.X87_CASES ?? 400);
const SEED = Number(process.env.X87_SEED ?? 0x87);
/** Generous for big X87_CASES runs on a loaded machine (the host side alone takes ~1 µs of CPU a case). */
const TIMEOUT = Math.max(60_000, CASES * 10);
const FILL = 0xa5; // memory not written keeps this pattern

/** What a form's model computes: the bytes of the buffer or ST(0), and the status bits. */
interface Outcome {
  bytes: number[];
  status: number;
}

interface Form {
  name: string;
  code: number[];
  /** Memory operand bytes (for loads), or undefined to store from ST(0) = a into a FILL-ed buffer of `storeBytes`. */
  memory?: (r: Rand) => number[];
  storeBytes?: number;
  /** Bits of FSW compared besides the result. */
  statusMask: number;
  /** Compare EFLAGS (ZF PF CF) instead of the C3 C2 C0 bits. */
  eflags?: boolean;
  model: (a: number[], b: number[], mem: number[], fcw: number) => Outcome;
}

const STATUS = EXC_MASK | C1;
const CC = EXC_MASK | C0 | C2 | C3;
const scratch = new Uint32Array(3);

function wordsLe(words: number[], bytes: number): number[] {
  const out: number[] = [];
  for (const w of words) for (let i = 0; i < 4; i++) out.push((w >>> (8 * i)) & 0xff);
  return out.slice(0, bytes);
}

/** A stored value, or the FILL pattern where the model wrote nothing (it left scratch as set). */
function stored(n: number, words: () => number[], status: number): Outcome {
  return { bytes: wordsLe(words(), n), status };
}

function storeForm(name: string, code: number[], n: number, run: (a: number[], fcw: number) => number, words: () => number[]): Form {
  return {
    name, code, storeBytes: n, statusMask: STATUS,
    model: (a, _b, _m, fcw) => {
      const fill = (FILL * 0x01010101) >>> 0;
      scratch.fill(fill);
      const status = run(a, fcw);
      return stored(n, words, status);
    },
  };
}

const f64Words = () => [scratch[1], scratch[0]];
const intWords = () => [scratch[1], scratch[0]];
const bcdWords = () => [scratch[2], scratch[1], scratch[0]];

function randomFloat32(r: Rand): number[] {
  const k = r() % 8;
  const sign = r() % 2 ? 0x80000000 : 0;
  const bits = k === 0 ? 0 : k === 1 ? r() & 0x7fffff : k === 2 ? 0x7f800000 | (r() & 0x7fffff) : k === 3 ? 0x7f800000 : r();
  return wordsLe([(bits | sign) >>> 0], 4);
}

function randomFloat64(r: Rand): number[] {
  const k = r() % 8;
  const sign = r() % 2 ? 0x80000000 : 0;
  const lo = r() % 3 === 0 ? 0 : r();
  const hi = k === 0 ? 0 : k === 1 ? r() & 0xfffff : k === 2 ? 0x7ff00000 | (r() & 0xfffff) : k === 3 ? 0x7ff00000 : r();
  return wordsLe([k === 3 || (k === 0 && r() % 2) ? 0 : lo, (hi | sign) >>> 0], 8);
}

function randomInt(r: Rand, bytes: number): number[] {
  const k = r() % 4;
  const words = k === 0 ? [0, 0] : k === 1 ? [0, 0x80000000] : [r(), r() % 2 ? r() : 0];
  if (k === 3) words[1] = 0xffffffff;
  return wordsLe(words, bytes);
}

function randomBcd(r: Rand): number[] {
  const bytes: number[] = [];
  const validOnly = r() % 4 !== 0;
  for (let i = 0; i < 9; i++) {
    const d = () => (validOnly ? r() % 10 : r() % 16);
    bytes.push(r() % 3 === 0 ? 0 : d() | (d() << 4));
  }
  bytes.push(r() % 2 ? 0x80 : r() % 8 === 0 ? r() & 0x7f : 0);
  return bytes;
}

function le32(m: number[], at: number): number {
  return (m[at] | (m[at + 1] << 8) | (m[at + 2] << 16) | (m[at + 3] << 24)) >>> 0;
}

function loadForm(name: string, code: number[], memory: (r: Rand) => number[], load: (m: number[], fcw: number) => number): Form {
  return {
    name, code, memory, statusMask: STATUS,
    model: (_a, _b, m, fcw) => {
      scratch.fill(0x0); // an empty ST(0) reads back as zeros from FNSAVE when nothing was loaded
      const status = load(m, fcw);
      return { bytes: [...scratch], status };
    },
  };
}

function compareForm(name: string, code: number[], unordered: boolean, eflags: boolean, ftst = false): Form {
  return {
    name, code, statusMask: CC, eflags,
    model: (a, b, _m, fcw) => {
      const bb = ftst ? [0, 0, 0] : b;
      const r = compare80(a[0], a[1], a[2], bb[0], bb[1], bb[2], fcw, unordered);
      return { bytes: [], status: r };
    },
  };
}

function sext16(v: number): number {
  return (v << 16) >> 16;
}

const FORMS: Form[] = [
  storeForm('fst m32', [0xd9, 0x13], 4, (a, f) => toFloat32(a[0], a[1], a[2], f, scratch, 0), () => [scratch[0]]),
  storeForm('fst m64', [0xdd, 0x13], 8, (a, f) => toFloat64(a[0], a[1], a[2], f, scratch, 0), f64Words),
  storeForm('fist m16', [0xdf, 0x13], 2, (a, f) => toInt(a[0], a[1], a[2], 16, false, f, scratch, 0), intWords),
  storeForm('fist m32', [0xdb, 0x13], 4, (a, f) => toInt(a[0], a[1], a[2], 32, false, f, scratch, 0), intWords),
  storeForm('fistp m64', [0xdf, 0x3b], 8, (a, f) => toInt(a[0], a[1], a[2], 64, false, f, scratch, 0), intWords),
  storeForm('fisttp m16', [0xdf, 0x0b], 2, (a, f) => toInt(a[0], a[1], a[2], 16, true, f, scratch, 0), intWords),
  storeForm('fisttp m32', [0xdb, 0x0b], 4, (a, f) => toInt(a[0], a[1], a[2], 32, true, f, scratch, 0), intWords),
  storeForm('fisttp m64', [0xdd, 0x0b], 8, (a, f) => toInt(a[0], a[1], a[2], 64, true, f, scratch, 0), intWords),
  storeForm('fbstp m80', [0xdf, 0x33], 10, (a, f) => toBcd(a[0], a[1], a[2], f, scratch, 0), bcdWords),
  loadForm('fld m32', [0xd9, 0x03], randomFloat32, (m, f) => fromFloat32(le32(m, 0), f, scratch, 0)),
  loadForm('fld m64', [0xdd, 0x03], randomFloat64, (m, f) => fromFloat64(le32(m, 4), le32(m, 0), f, scratch, 0)),
  loadForm('fild m16', [0xdf, 0x03], (r) => randomInt(r, 2), (m) => {
    const v = sext16(m[0] | (m[1] << 8));
    fromInt64(v < 0 ? 0xffffffff : 0, v >>> 0, scratch, 0);
    return 0;
  }),
  loadForm('fild m32', [0xdb, 0x03], (r) => randomInt(r, 4), (m) => {
    const v = le32(m, 0);
    fromInt64(v & 0x80000000 ? 0xffffffff : 0, v, scratch, 0);
    return 0;
  }),
  loadForm('fild m64', [0xdf, 0x2b], (r) => randomInt(r, 8), (m) => {
    fromInt64(le32(m, 4), le32(m, 0), scratch, 0);
    return 0;
  }),
  loadForm('fbld m80', [0xdf, 0x23], randomBcd, (m) =>
    fromBcd(m[8] | (m[9] << 8), le32(m, 4), le32(m, 0), scratch, 0)),
  compareForm('fcom st1', [0xd8, 0xd1], false, false),
  compareForm('fucom st1', [0xdd, 0xe1], true, false),
  compareForm('fcomi st1', [0xdb, 0xf1], false, true),
  compareForm('fucomi st1', [0xdb, 0xe9], true, true),
  compareForm('ftst', [0xd9, 0xe4], false, false, true),
];

describe.skipIf(!ok)('softfloat conversions and compares against the host CPU', () => {
  for (const form of FORMS) {
    it(`${form.name}: bit-exact`, () => {
      const r = xorshift32((SEED * 0x9e3779b1) ^ (form.code[0] << 8) ^ form.code[1] ^ 0x5a5a);
      const inputs: { a: number[]; b: number[]; mem: number[]; fcw: number }[] = [];
      const cases: X87Case[] = [];
      for (let i = 0; i < CASES; i++) {
        const b = randomF80(r);
        const a = randomF80(r, b);
        const fcw = randomFcw(r);
        const mem = form.memory ? form.memory(r) : new Array<number>(form.storeBytes ?? 0).fill(FILL);
        inputs.push({ a, b, mem, fcw });
        const loads = form.memory !== undefined;
        cases.push({
          state: stackState(fcw, loads ? [] : [...a, ...b]),
          code: new Uint8Array(form.code),
          mem: new Uint8Array(mem),
        });
      }
      const outcomes = runX87(cases);
      const bad: string[] = [];
      for (let i = 0; i < CASES; i++) {
        const { a, b, mem, fcw } = inputs[i];
        const host = outcomes[i];
        const want = form.model(a, b, mem, fcw);
        let hostBytes: number[];
        if (form.memory) hostBytes = [...host.state.st.slice(0, 3)];
        else hostBytes = host.mem ? [...host.mem] : [];
        const hostStatus = form.eflags
          ? (host.state.fsw & EXC_MASK) | toEflagsInverse(host.eflags)
          : host.state.fsw & form.statusMask;
        const ours = form.eflags ? (want.status & EXC_MASK) | (want.status & (C0 | C2 | C3)) : want.status & form.statusMask;
        if (hostStatus !== ours || hostBytes.join() !== want.bytes.join()) {
          bad.push(`fcw ${fcw.toString(16)} a ${f80Hex(a[0], a[1], a[2])} b ${f80Hex(b[0], b[1], b[2])} mem ${Buffer.from(mem).toString('hex')}` +
            ` host ${hostBytes.map((x) => x.toString(16)).join(',')} ${hostStatus.toString(16)} ours ${want.bytes.map((x) => x.toString(16)).join(',')} ${ours.toString(16)}`);
        }
      }
      if (bad.length) console.log(`${form.name}: ${bad.length}/${CASES} mismatches; first:\n  ${bad.slice(0, 10).join('\n  ')}`);
      expect(bad.length).toBe(0);
    }, TIMEOUT);
  }
});

/** FCOMI's ZF PF CF back to C3 C2 C0, so both kinds compare the same way. */
function toEflagsInverse(eflags: number): number {
  return (eflags & 0x40 ? C3 : 0) | (eflags & 0x04 ? C2 : 0) | (eflags & 0x01 ? C0 : 0);
}

/** ±M/4 as an 80-bit value (M < 2^64): exact quarters around the integer limits. */
function quarters(m: bigint, negative: boolean): number[] {
  if (m === 0n) return [negative ? 0x8000 : 0, 0, 0];
  const len = m.toString(2).length;
  const sig = m << BigInt(64 - len);
  return [(negative ? 0x8000 : 0) | (0x3fff + len - 1 - 2), Number(sig >> 32n), Number(sig & 0xffffffffn)];
}

describe.skipIf(!ok)('integer and BCD stores at the ends of their ranges, against the host CPU', () => {
  it('fist/fisttp m16/m32/m64 and fbstp for limit ± {0, ¼, ½, ¾, 1, 1¼, 1½} under every RC', () => {
    const limits = [1n << 15n, 1n << 31n, 1n << 63n, 10n ** 18n];
    const forms = FORMS.filter((f) => f.storeBytes !== undefined && f.storeBytes > 0 && !f.name.startsWith('fst '));
    const values: number[][] = [];
    for (const lim of limits) {
      for (let q = -6; q <= 6; q++) {
        const m = lim * 4n + BigInt(q);
        if (m < 1n << 66n) for (const neg of [false, true]) values.push(quarters(m, neg));
      }
    }
    const bad: string[] = [];
    for (const form of forms) {
      const inputs: { a: number[]; fcw: number }[] = [];
      for (const a of values) for (let rc = 0; rc < 4; rc++) for (const masks of [0x3f, 0x3e]) inputs.push({ a, fcw: 0x1340 | masks | (rc << 10) });
      const outcomes = runX87(inputs.map(({ a, fcw }) => ({
        state: stackState(fcw, a), code: new Uint8Array(form.code), mem: new Uint8Array(form.storeBytes!).fill(FILL),
      })));
      inputs.forEach(({ a, fcw }, i) => {
        const want = form.model(a, [0, 0, 0], [], fcw);
        const host = outcomes[i];
        const hostStatus = host.state.fsw & form.statusMask;
        if (hostStatus !== (want.status & form.statusMask) || [...host.mem!].join() !== want.bytes.join()) {
          bad.push(`${form.name} fcw ${fcw.toString(16)} a ${f80Hex(a[0], a[1], a[2])} host ${Buffer.from(host.mem!).toString('hex')} ${hostStatus.toString(16)}` +
            ` ours ${Buffer.from(want.bytes).toString('hex')} ${want.status.toString(16)}`);
        }
      });
    }
    if (bad.length) console.log(`${bad.length} mismatches; first:\n  ${bad.slice(0, 12).join('\n  ')}`);
    expect(bad.length).toBe(0);
  }, TIMEOUT);
});
