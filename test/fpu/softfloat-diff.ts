/**
 * The driver of the register-form differential tests of src/fpu/softfloat:
 * for one instruction, random (a, b, fcw) from softfloat-operands.ts, the
 * host CPU runs it with ST(0) = a and ST(1) = b, and the model must predict
 * the registers it names and the status bits in `statusMask` bit for bit.
 */
import { f80Hex } from '../../src/fpu/float80.js';
import { xorshift32 } from '../support/xorshift32.js';
import { runX87, stackState, type X87Case } from '../support/x87-oracle.js';
import { randomPair, type PairCase, type Rand } from './softfloat-operands.js';

/** What the model predicts: ST(0), ST(1), … as se,hi,lo triples (as many as it names), and the status bits. */
export interface Prediction {
  st: number[];
  status: number;
}

export interface RegisterForm {
  name: string;
  code: number[];
  statusMask: number;
  model: (a: readonly number[], b: readonly number[], fcw: number) => Prediction;
}

const BATCH = 20000;

/** Run `n` random cases of a form (drawn by `pick`); returns descriptions of the mismatches. */
export function diffRegisterForm(form: RegisterForm, seed: number, n: number, pick: (r: Rand) => PairCase = randomPair): string[] {
  const r = xorshift32(seed);
  const bad: string[] = [];
  for (let done = 0; done < n; done += BATCH) {
    const m = Math.min(BATCH, n - done);
    const inputs: { a: number[]; b: number[]; fcw: number }[] = [];
    const cases: X87Case[] = [];
    for (let i = 0; i < m; i++) {
      const { a, b, fcw } = pick(r);
      inputs.push({ a, b, fcw });
      cases.push({ state: stackState(fcw, [...a, ...b]), code: new Uint8Array(form.code) });
    }
    const outcomes = runX87(cases);
    for (let i = 0; i < m; i++) {
      const { a, b, fcw } = inputs[i];
      const host = outcomes[i].state;
      const want = form.model(a, b, fcw);
      const hostStatus = host.fsw & form.statusMask;
      const ourStatus = want.status & form.statusMask;
      let same = hostStatus === ourStatus;
      for (let k = 0; k < want.st.length; k++) same &&= host.st[k] === want.st[k];
      if (!same) {
        const regs = (s: ArrayLike<number>) =>
          Array.from({ length: want.st.length / 3 }, (_, k) => f80Hex(s[3 * k], s[3 * k + 1], s[3 * k + 2])).join(' ');
        bad.push(`fcw ${fcw.toString(16)} a ${f80Hex(a[0], a[1], a[2])} b ${f80Hex(b[0], b[1], b[2])}` +
          ` host ${regs(host.st)} ${hostStatus.toString(16)} ours ${regs(want.st)} ${ourStatus.toString(16)}`);
      }
    }
  }
  return bad;
}

/** Print the first mismatches of a form (for the report) and return their count. */
export function reportMismatches(name: string, n: number, bad: string[]): number {
  if (bad.length) console.log(`${name}: ${bad.length}/${n} mismatches; first:\n  ${bad.slice(0, 12).join('\n  ')}`);
  return bad.length;
}
