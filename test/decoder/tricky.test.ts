/**
 * Unit tests per tricky area: byte strings with the expected decoded fields
 * and objdump's text (the text was checked against `objdump -M intel`).
 */
import { describe, expect, it } from 'vitest';
import { decode, MODE16 } from '../../src/decoder/decode.js';
import { formatInsn } from '../../src/decoder/disasm.js';
import { objdumpRaw } from './objdump-oracle.js';
import { toolsFor } from '../support/external-tools.js';

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));
function text(hex: string, addr = 0): string {
  const b = bytes(hex);
  const t = formatInsn(decode(b, 0, addr), b, 0);
  return t.operands ? `${t.mnemonic} ${t.operands}` : t.mnemonic;
}

describe('16-bit addressing (0x67)', () => {
  it('decodes base/index pairs and displacements', () => {
    const i = decode(bytes('67 8b 42 fc'), 0, 0);
    expect(i).toMatchObject({ length: 4, addrSize: 2, status: 'ok' });
    expect(i.operands[1]).toMatchObject({ kind: 'mem', base: 5, index: 6, disp: -4, seg: 2, addrSize: 2 });
    expect(text('67 8b 42 fc')).toBe('mov eax,DWORD PTR [bp+si-0x4]');
    expect(text('67 8b 06 34 12')).toBe('mov eax,DWORD PTR ds:0x1234');
    expect(text('67 8b 07')).toBe('mov eax,DWORD PTR [bx]');
    expect(text('67 8b 86 00 01')).toBe('mov eax,DWORD PTR [bp+0x100]');
  });
  it('16-bit code segment: operand and address size default to 2', () => {
    const b = bytes('8b 47 02');
    const i = decode(b, 0, 0, MODE16);
    expect(i).toMatchObject({ opSize: 2, addrSize: 2, length: 3 });
    expect(formatInsn(i, b, 0).operands).toBe('ax,WORD PTR [bx+0x2]');
  });
});

describe('moffs', () => {
  it('has no ModRM, takes the address size, shows the segment', () => {
    expect(decode(bytes('a1 78 56 34 12'), 0, 0).operands[1]).toMatchObject({ kind: 'mem', moffs: true, disp: 0x12345678, seg: 3 });
    expect(text('a1 78 56 34 12')).toBe('mov eax,ds:0x12345678');
    expect(text('64 a1 00 00 00 00')).toBe('mov eax,fs:0x0');
    expect(decode(bytes('67 a1 34 12'), 0, 0).length).toBe(4);
    expect(text('67 a1 34 12')).toBe('addr16 mov eax,ds:0x1234');
  });
});

describe('prefixes', () => {
  it('operand size, rep forms, lock, segment overrides', () => {
    expect(text('66 98')).toBe('cbw');
    expect(text('98')).toBe('cwde');
    expect(text('f3 ab')).toBe('rep stos DWORD PTR es:[edi],eax');
    expect(decode(bytes('f3 a6'), 0, 0).rep).toBe('repe');
    expect(text('f2 ae')).toBe('repnz scas al,BYTE PTR es:[edi]');
    expect(text('f0 0f c1 00')).toBe('lock xadd DWORD PTR [eax],eax');
    expect(text('2e 8b 00')).toBe('mov eax,DWORD PTR cs:[eax]');
    expect(text('f3 c3')).toBe('repz ret');
    expect(text('66 eb 00')).toBe('data16 jmp 0x3');
    expect(text('3e ff e0')).toBe('notrack jmp eax');
    expect(text('f2 e8 00 00 00 00')).toBe('bnd call 0x6');
  });
  it('lock on a non-lockable form or a register destination is #UD', () => {
    expect(decode(bytes('f0 8b 00'), 0, 0)).toMatchObject({ status: 'invalid', mnemonic: '(bad)', length: 3 });
    expect(decode(bytes('f0 01 c0'), 0, 0).status).toBe('invalid');
    expect(decode(bytes('f0 01 00'), 0, 0)).toMatchObject({ status: 'ok', lock: true });
  });
  it('mandatory prefixes select SSE forms and are not shown', () => {
    expect(text('66 0f ef c0')).toBe('pxor xmm0,xmm0');
    expect(text('f3 0f 6f 0f')).toBe('movdqu xmm1,XMMWORD PTR [edi]');
    expect(text('f3 0f bc c0')).toBe('tzcnt eax,eax');
    expect(text('0f bc c0')).toBe('bsf eax,eax');
  });
});

describe('ModRM groups and fixed ModRM bytes', () => {
  it('selects by reg field', () => {
    expect(text('83 c0 80')).toBe('add eax,0xffffff80');
    expect(text('66 83 c0 80')).toBe('add ax,0xff80');
    expect(text('f6 c1 01')).toBe('test cl,0x1');
    expect(text('f7 d8')).toBe('neg eax');
    expect(text('ff 18')).toBe('call FWORD PTR [eax]');
    expect(text('c1 e0 02')).toBe('shl eax,0x2');
    expect(text('d1 e0')).toBe('shl eax,1');
    expect(text('0f 01 d0')).toBe('xgetbv');
    expect(text('0f 01 10')).toBe('lgdtd [eax]');
    expect(decode(bytes('0f 01 10'), 0, 0).cls).toBe('privileged');
    expect(text('0f ae e8')).toBe('lfence');
    expect(decode(bytes('ff 38'), 0, 0).status).toBe('invalid'); // ff /7
  });
  it('SIB corner cases', () => {
    expect(text('8b 04 24')).toBe('mov eax,DWORD PTR [esp]');
    expect(text('8d 74 26 00')).toBe('lea esi,[esi+eiz*1+0x0]');
    expect(text('8b 04 85 fc ff ff ff')).toBe('mov eax,DWORD PTR [eax*4-0x4]');
    expect(text('8b 05 00 00 00 00')).toBe('mov eax,DWORD PTR ds:0x0');
  });
  it.skipIf(!toolsFor('rdpid vs objdump', 'objdump'))('rdpid names a 32-bit register whatever the operand size (SDM: RDPID r32 outside 64-bit mode)', () => {
    // objdump (-m i386) agrees: `rdpid eax`, and `data16 rdpid edx` with a 66 prefix.
    const code = bytes('f3 0f c7 f8 f3 0f c7 f9 66 f3 0f c7 fa');
    const ref = objdumpRaw(code);
    expect(ref.map((r) => r.text)).toEqual(['rdpid eax', 'rdpid ecx', 'data16 rdpid edx']);
    for (const r of ref) {
      const t = formatInsn(decode(code, r.address, r.address), code, r.address);
      expect(`${t.mnemonic} ${t.operands}`).toBe(r.text);
    }
    // In a 16-bit code segment (objdump -m i8086 also says `rdpid edx`).
    expect(decode(bytes('f3 0f c7 fa'), 0, 0, MODE16).operands[0]).toMatchObject({ kind: 'reg', num: 2, size: 4 });
  });
});

describe('x87', () => {
  it('register forms and fwait gluing', () => {
    expect(text('d8 c1')).toBe('fadd st,st(1)');
    expect(text('dc e9')).toBe('fsub st(1),st');
    expect(text('de f9')).toBe('fdivp st(1),st');
    expect(text('d9 c9')).toBe('fxch st(1)');
    expect(text('df e0')).toBe('fnstsw ax');
    expect(text('d9 e8')).toBe('fld1');
    expect(text('dd 04 24')).toBe('fld QWORD PTR [esp]');
    expect(text('db 2c 24')).toBe('fld TBYTE PTR [esp]');
    const g = decode(bytes('9b df e0'), 0, 0);
    expect(g).toMatchObject({ length: 3, mnemonic: 'fstsw', fwait: true, cls: 'fpu' });
    expect(decode(bytes('d9 d8'), 0, 0).status).toBe('invalid');
  });
});

describe('robustness', () => {
  it('truncated and too-long input', () => {
    expect(decode(bytes('8b 84 24 00'), 0, 0)).toMatchObject({ status: 'truncated', length: 4 });
    expect(decode(bytes('66'.repeat(15) + '90'), 0, 0)).toMatchObject({ status: 'too-long', length: 15 });
    expect(decode(bytes('66'.repeat(14) + '90'), 0, 0)).toMatchObject({ status: 'ok', length: 15 });
  });
  it('relative targets wrap at the operand size', () => {
    expect(decode(bytes('e8 fb ff ff ff'), 0, 0).operands[0]).toMatchObject({ kind: 'rel', target: 0 });
    expect(decode(bytes('66 e9 00 80'), 0, 0xfff0).operands[0]).toMatchObject({ target: 0x7ff4 });
  });
});
