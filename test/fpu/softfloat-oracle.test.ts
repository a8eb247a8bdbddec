/**
 * The x87 oracle itself (fixtures/native/x87_oracle via test/support/x87-oracle.ts):
 * a few facts of the SDM that any correct run of the host CPU shows, so the
 * differential tests built on it compare against the real instruction and not
 * against a broken image encoding, register order or memory operand.
 */
import { describe, expect, it } from 'vitest';
import { haveX87Oracle, MEM_ADDR, runX87, stackState, X87_ORACLE_MISSING } from '../support/x87-oracle.js';

const ok = haveX87Oracle();
if (!ok) console.log(`skipping: ${X87_ORACLE_MISSING}`);

const ONE = [0x3fff, 0x80000000, 0];
const TWO = [0x4000, 0x80000000, 0];
const ZERO = [0, 0, 0];

describe.skipIf(!ok)('x87 oracle', () => {
  it('fadd st0, st1 computes 1+2 in ST(0) and tags by physical register', () => {
    const [r] = runX87([{ state: stackState(0x37f, [...ONE, ...TWO]), code: new Uint8Array([0xd8, 0xc1]) }]);
    expect([...r.state.st.slice(0, 6)]).toEqual([0x4000, 0xc0000000, 0, ...TWO]);
    expect(r.state.fsw).toBe(0);
    expect(r.state.ftw).toBe(0xfff0);
    expect(r.state.fop).toBe(0x0c1); // the last opcode: D8 C1 without the D8's upper five bits
  });

  it('fstp qword [ebx] stores through the buffer and pops; [disp32] addresses the same buffer', () => {
    const state = stackState(0x37f, [...ONE], 5);
    const [a, b] = runX87([
      { state, code: new Uint8Array([0xdd, 0x1b]), mem: new Uint8Array(8) },
      { state, code: new Uint8Array([0xdd, 0x1d, ...new Uint8Array(new Uint32Array([MEM_ADDR]).buffer)]), mem: new Uint8Array(8) },
    ]);
    for (const r of [a, b]) {
      expect(Buffer.from(r.mem!).readDoubleLE(0)).toBe(1);
      expect((r.state.fsw >> 11) & 7).toBe(6);
      expect(r.state.ftw).toBe(0xffff);
    }
  });

  it('an unmasked zero divide leaves the destination and sets ZE and ES; fwait then traps with SIGFPE', () => {
    const state = stackState(0x37b, [...ONE, ...ZERO]);
    const [pending, trapped] = runX87([
      { state, code: new Uint8Array([0xd8, 0xf1]) },
      { state, code: new Uint8Array([0xd8, 0xf1, 0x9b]) },
    ]);
    expect(pending.state.fsw).toBe(0x8084);
    expect([...pending.state.st.slice(0, 3)]).toEqual(ONE);
    expect(trapped.fault).toBe(8);
    expect(trapped.state.fsw & 0x80).toBe(0x80);
  });

  it('fnstsw ax and fcomi deliver EAX and EFLAGS', () => {
    const [sw, comi] = runX87([
      { state: stackState(0x37f, [...ONE, ...TWO], 3), code: new Uint8Array([0xdf, 0xe0]), eax: 0xdead0000 },
      { state: stackState(0x37f, [...ONE, ...TWO]), code: new Uint8Array([0xdb, 0xf1]), eflags: 0x8d5 },
    ]);
    expect(sw.eax).toBe((0xdead0000 | (3 << 11)) >>> 0);
    expect(comi.eflags).toBe(0x1); // 1 < 2: CF=1, ZF=PF=0, OF SF AF cleared
  });
});
