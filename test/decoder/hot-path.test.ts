/**
 * What the decoder's speed-ups must not change (src/decoder/decode.ts,
 * register-operands.ts, static-operands.ts): shared operand objects are
 * frozen and only shared where equal; every result and operand kind has one
 * object shape; and the zero-padded tail path (fewer than 48 bytes left)
 * agrees with decoding the same bytes inside a longer buffer. Expected texts
 * were checked with `objdump -D -b binary -m i386 -M intel`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, MODE16, MODE32 } from '../../src/decoder/decode.js';
import { formatInsn } from '../../src/decoder/disasm.js';
import { withLength } from '../../src/decoder/decoded-record.js';
import type { DecodedInsn } from '../../src/decoder/insn.js';

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));
const at = (hex: string) => decode(bytes(hex), 0, 0);
function text(hex: string): string {
  const b = bytes(hex);
  const t = formatInsn(decode(b, 0, 0), b, 0);
  return t.operands ? `${t.mnemonic} ${t.operands}` : t.mnemonic;
}

describe('shared operands', () => {
  it('register operands are frozen and shared between instructions', () => {
    const mov = at('89 c8'); // mov eax,ecx
    const add = at('01 c8'); // add eax,ecx
    expect(mov.operands[0]).toBe(add.operands[0]);
    expect(mov.operands[0]).toEqual({ kind: 'reg', cls: 'gpr', num: 0, size: 4 });
    expect(Object.isFrozen(mov.operands[0])).toBe(true);
    expect(() => {
      (mov.operands[0] as { num: number }).num = 3;
    }).toThrow(TypeError);
  });

  it('register-only operand lists are shared per row, registers and sizes, and frozen', () => {
    expect(at('55').operands).toBe(at('55').operands);
    expect(Object.isFrozen(at('55').operands)).toBe(true);
    expect(at('55').operands).not.toBe(at('50').operands);
    expect(text('55')).toBe('push ebp');
    expect(text('50')).toBe('push eax');
    expect(text('89 c8')).toBe('mov eax,ecx');
    expect(text('66 89 c8')).toBe('mov ax,cx');
    expect(text('89 c8')).toBe('mov eax,ecx'); // after the 16-bit list was cached
    expect(decode(bytes('89 c8'), 0, 0, MODE16).operands[0]).toMatchObject({ num: 0, size: 2 });
    expect(text('c5 f0 57 c2')).toBe('vxorps xmm0,xmm1,xmm2');
    expect(text('c5 e8 57 c2')).toBe('vxorps xmm0,xmm2,xmm2'); // VEX.vvvv is part of the key
  });

  it('memory, immediate and branch operands are per instruction', () => {
    const a = at('8b 45 08');
    const b = at('8b 45 08');
    expect(a.operands[1]).not.toBe(b.operands[1]);
    expect(a.operands[1]).toEqual(b.operands[1]);
    expect(a.operands).not.toBe(b.operands);
  });
});

describe('one object shape per kind', () => {
  const keys = (o: object) => Object.keys(o).join();
  it('results of every status have the same fields in the same order', () => {
    const ok = at('90');
    for (const other of [at('0f 0b'), at('f0 90'), decode(bytes('8b'), 0, 0), decode(new Uint8Array(16).fill(0x66), 0, 0), at('ff ff')]) {
      expect(keys(other)).toBe(keys(ok));
    }
    expect([decode(bytes('8b'), 0, 0).status, decode(new Uint8Array(16).fill(0x66), 0, 0).status]).toEqual(['truncated', 'too-long']);
  });
  it('memory operands from ModRM, moffs and string forms share one field order', () => {
    const mem = [at('8b 45 08').operands[1]!, at('a1 78 56 34 12').operands[1]!, at('a5').operands[0]!, at('d7').operands[0]!];
    for (const m of mem) expect(keys(m)).toBe(keys(mem[0]!));
    expect(keys(at('6a 01').operands[0]!)).toBe(keys(at('d1 e0').operands[1]!)); // Ibs and the shift-by-one 1
  });
});

describe('the result record (decoded-record.ts)', () => {
  const fields = (i: DecodedInsn) => ({
    address: i.address, length: i.length, status: i.status, mnemonic: i.mnemonic, cls: i.cls, opSize: i.opSize, addrSize: i.addrSize,
    lock: i.lock, rep: i.rep, segOverride: i.segOverride, prefixLen: i.prefixLen, modrm: i.modrm, sib: i.sib, dispSize: i.dispSize,
    fwait: i.fwait,
  });
  it('answers every DecodedInsn field from its packed form', () => {
    // lock add DWORD PTR fs:[esp+eax*4+0x12345678],0x1 with a 16-bit address size: every small field is non-default.
    expect(fields(decode(bytes('f0 64 83 44 84 78 01'), 0, 0x401000))).toMatchObject({
      address: 0x401000, length: 7, status: 'ok', mnemonic: 'add', lock: true, segOverride: 4, prefixLen: 2, modrm: 0x44,
      sib: 0x84, dispSize: 1, opSize: 4, addrSize: 4, rep: 0, fwait: false,
    });
    expect(fields(at('66 67 8b 47 02'))).toMatchObject({ opSize: 2, addrSize: 2, modrm: 0x47, sib: -1, dispSize: 1, prefixLen: 2 });
    expect(fields(at('f3 a5'))).toMatchObject({ rep: 'rep', mnemonic: 'movs' });
    expect(fields(at('f2 ae'))).toMatchObject({ rep: 'repne', mnemonic: 'scas' });
    expect(fields(at('f3 a6'))).toMatchObject({ rep: 'repe' });
    expect(fields(at('9b df e0'))).toMatchObject({ mnemonic: 'fstsw', fwait: true, cls: 'fpu', length: 3 });
    expect(fields(at('f0 8b 00'))).toMatchObject({ status: 'invalid', mnemonic: '(bad)', cls: 'innocuous', lock: true, modrm: 0 });
    expect(fields(decode(bytes('8b'), 0, 0))).toMatchObject({ status: 'truncated', modrm: -1, segOverride: -1 });
    expect(fields(decode(new Uint8Array(16).fill(0x66), 0, 0)).status).toBe('too-long');
  });
  it('withLength copies every field but the length (a spread would copy only the record\'s own fields)', () => {
    const i = decode(bytes('f0 64 83 44 84 78 01'), 0, 0x401000);
    expect(fields(withLength(i, 9))).toEqual({ ...fields(i), length: 9 });
    expect(withLength(i, 9).operands).toBe(i.operands);
  });
});

/** Fields that must agree between two decodings of the same instruction. */
const view = (i: DecodedInsn) => ({ ...i, form: i.form?.id ?? null });

describe('tail of the input (zero-padded scratch path)', () => {
  it('decodes as inside a longer buffer, or reports exactly the bytes available', () => {
    const prefixy = fc.constantFrom(0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x26, 0x64, 0x0f, 0x38, 0x3a, 0xc4, 0xc5, 0x9b, 0xd9, 0x8b, 0x44, 0x24);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), prefixy), { minLength: 1, maxLength: 20 }), fc.boolean(), (code, m16) => {
        const mode = m16 ? MODE16 : MODE32;
        const long = new Uint8Array(200);
        long.set(code, 0);
        const full = decode(long, 0, 0x1000, mode); // fast path: ≥ 48 bytes follow
        for (let k = 0; k <= 16; k++) {
          const short = decode(long.subarray(0, k), 0, 0x1000, mode);
          if (full.status !== 'too-long' && k >= full.length) expect(view(short)).toEqual(view(full));
          else if (full.fwait && k >= 1 && k < 3) expect(short.mnemonic).toBe('fwait'); // 9B alone is an instruction
          else if (k < 15) expect({ status: short.status, length: short.length }).toEqual({ status: 'truncated', length: k });
        }
        // The same instruction 40 bytes before the end of a buffer (scratch path, offset ≠ 0).
        const tail = new Uint8Array(100);
        tail.set(long.subarray(0, 40), 60);
        expect(view(decode(tail, 60, 0x1000, mode))).toEqual(view(full));
      }),
      { numRuns: 3000, seed: 0x5eed },
    );
  });
});
