/**
 * salc (D6) runs as every IA-32 CPU and QEMU run it outside 64-bit mode:
 * AL = CF ? 0xFF : 0x00, the rest of EAX, the other registers and EFLAGS
 * unchanged (QEMU's target/i386 translator: flags computed, negated into
 * AL), while the disassembler still prints "(bad)" as objdump does.
 *
 * Cases run through the real pipeline (lifter → passes → codegen →
 * dispatcher) in test/support/translated-runner.ts; the host cannot be the
 * oracle here because D6 is #UD in the 64-bit mode it runs in.
 */
import { describe, expect, it } from 'vitest';
import { decode, MODE32 } from '../../src/decoder/decode.js';
import { parseStateLine } from '../support/harness-protocol.js';
import { TranslatedRunner } from '../support/translated-runner.js';

const CF = 0x1, FLAG_BITS = 0x8d5 | 0x400;
const runner = new TranslatedRunner();
const REGS = [0x12345678, 0x11111111, 0x22222222, 0x33333333, 0x1000e000, 0x55555555, 0x66666666, 0x77777777];

function run(code: number[], eflags: number, eax = REGS[0]!) {
  const out = runner.run(Uint8Array.from(code), { regs: [eax, ...REGS.slice(1)], eflags, seed: 1 });
  const state = parseStateLine(out.line);
  if (state === null) throw new Error(`unexpected end: ${out.line}`);
  return state;
}

describe('salc (D6)', () => {
  for (const flags of [0, CF, 0x8d5, 0x8d5 & ~CF, 0x8d5 | 0x400]) {
    for (const eax of [0x12345678, 0xffffff00, 0x000000ff]) {
      it(`AL = CF ? 0xFF : 0 with EFLAGS ${flags.toString(16)}, EAX ${eax.toString(16)}; flags and other bits kept`, () => {
        const s = run([0xd6], flags, eax);
        expect(s.fault).toBeNull();
        const al = (flags & CF) !== 0 ? 0xff : 0;
        expect(s.regs[0]! >>> 0).toBe(((eax & ~0xff) | al) >>> 0);
        expect(s.regs.slice(1)).toEqual(REGS.slice(1).map((r) => r >>> 0));
        expect(s.eflags & FLAG_BITS).toBe(flags & FLAG_BITS);
      });
    }
  }

  it('reads the carry a preceding instruction left (lazy flags): sub 1,2 borrows, add 1,2 does not', () => {
    // mov ebx,1; sub ebx,2; salc / mov ebx,1; add ebx,2; salc
    expect(run([0xbb, 1, 0, 0, 0, 0x83, 0xeb, 2, 0xd6], 0).regs[0]! & 0xff).toBe(0xff);
    expect(run([0xbb, 1, 0, 0, 0, 0x83, 0xc3, 2, 0xd6], CF).regs[0]! & 0xff).toBe(0);
  });

  it('ignores operand-size, segment and rep prefixes; the next instruction follows it', () => {
    // 66 d6; 2e d6; f3 d6; then inc eax (0x1ff + 1) proves the length was right
    for (const prefix of [0x66, 0x2e, 0xf3]) {
      const s = run([prefix, 0xd6, 0x40], CF, 0x100);
      expect(s.fault).toBeNull();
      expect(s.regs[0]! >>> 0).toBe(0x200);
    }
  });

  it('with LOCK it is #UD', () => {
    const s = run([0xf0, 0xd6], CF);
    expect(s.fault?.vector).toBe('UD');
  });

  it('disassembles as "(bad)", as objdump prints D6', () => {
    const bytes = new Uint8Array(64);
    bytes[0] = 0xd6;
    expect(decode(bytes, 0, 0, MODE32).mnemonic).toBe('(bad)');
    expect(decode(bytes, 0, 0, MODE32).length).toBe(1);
  });
});
