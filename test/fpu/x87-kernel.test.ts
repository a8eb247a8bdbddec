/**
 * The x87 FPU end to end: fixtures/fpu/x87math.elf (C compiled with
 * -mfpmath=387) runs through the whole translator and monitor and prints
 * what the silicon computes (x87math.expected), under both MMUs.
 *
 * The oracles: QEMU's transcript (x87math.qemu) for every line but three,
 * where QEMU 7.2's x87 is wrong; those three are listed below with the
 * instruction the host CPU runs to prove the silicon's answer (the host
 * cannot start the kernel itself: i386 programs are refused here, and the
 * x87 oracle runs single instructions from a 64-bit process).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveX87Oracle, runX87, stackState, X87_ORACLE_MISSING } from '../support/x87-oracle.js';
import { root, runKernel } from '../system/mmu-run.js';

const dir = join(root, 'fixtures/fpu');
const elf = join(dir, 'x87math.elf');
const silicon = readFileSync(join(dir, 'x87math.expected'), 'latin1');
const qemu = readFileSync(join(dir, 'x87math.qemu'), 'latin1');

/** 0.1 (the double) as an 80-bit register value. */
const TENTH: readonly number[] = [0x3ffb, 0xcccccccc, 0xcccccd00];
const f64 = (x: number): Uint8Array => new Uint8Array(new Float64Array([x]).buffer);
const FMUL_M64 = [0xdc, 0x0b]; // fmul qword [ebx]
const FLD_M64 = [0xdd, 0x03]; // fld qword [ebx]

/** Lines (1-based) where QEMU's transcript is not the silicon's, why, and the host-CPU case that shows it. */
const QEMU_DEVIATIONS = [
  { line: 4, why: '0.1 * -2.5 rounded down to 24 bits (PC=0, RC=down): QEMU rounds toward zero',
    fcw: 0x0000 | 0x0400 | 0x3f, code: FMUL_M64, mem: f64(-2.5), st0: [0xbffd, 0x80000100, 0] },
  { line: 10, why: '0.1 * -2.5 rounded toward zero to 24 bits: QEMU rounds the magnitude below 0.25',
    fcw: 0x0000 | 0x0c00 | 0x3f, code: FMUL_M64, mem: f64(-2.5), st0: [0xbffd, 0x80000000, 0] },
  { line: 13, why: 'fld of a denormal double raises DE (SDM: FLD #D); QEMU does not set it',
    fcw: 0x037f, code: FLD_M64, mem: f64(1e-310), fswHas: 0x02 },
];

describe('x87math.elf: double-precision C on the x87 FPU', () => {
  for (const mmu of ['shadow', 'nested']) {
    it(`prints the silicon's results under --mmu ${mmu}`, async () => {
      const got = await runKernel(elf, ['--mmu', mmu]);
      expect(got.stderr).toBe('');
      expect(got.out).toBe(silicon);
      expect(got.status).toBe(1);
    }, 60_000);
  }

  it("differs from QEMU's transcript only in the lines QEMU gets wrong", () => {
    const s = silicon.split('\n'), q = qemu.split('\n');
    expect(s.length).toBe(q.length);
    const differing = s.flatMap((l, i) => (l === q[i] ? [] : [i + 1]));
    expect(differing).toEqual(QEMU_DEVIATIONS.map((d) => d.line));
  });

  it.skipIf(!haveX87Oracle())('the host CPU computes what x87math.expected says where QEMU differs', () => {
    for (const d of QEMU_DEVIATIONS) {
      const [out] = runX87([{ state: stackState(d.fcw, d.st0 === undefined ? [] : TENTH), code: Uint8Array.from(d.code), mem: d.mem }]);
      if (d.st0 !== undefined) expect(Array.from(out!.state.st.subarray(0, 3)), d.why).toEqual(d.st0);
      if (d.fswHas !== undefined) expect(out!.state.fsw & d.fswHas, d.why).toBe(d.fswHas);
    }
  });
  if (!haveX87Oracle()) it.skip(X87_ORACLE_MISSING, () => {});
});
