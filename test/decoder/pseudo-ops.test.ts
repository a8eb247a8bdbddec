/**
 * Immediates objdump folds into the mnemonic: cmpps/cmppd/cmpss/cmpsd with
 * predicates 0-7 (cmpltps …) and pclmulqdq's named selectors
 * (pclmullqlqdq …). Every immediate 0-255, register and memory forms, is
 * compared with objdump's text for the same bytes; the decoded mnemonic
 * stays the row's (the lifter keys on it).
 */
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/decoder/decode.js';
import { formatInsn } from '../../src/decoder/disasm.js';
import { objdumpRaw } from './objdump-oracle.js';
import { toolsFor } from '../support/external-tools.js';

const PREFIXED = [
  { name: 'cmpps', bytes: [0x0f, 0xc2] },
  { name: 'cmppd', bytes: [0x66, 0x0f, 0xc2] },
  { name: 'cmpss', bytes: [0xf3, 0x0f, 0xc2] },
  { name: 'cmpsd', bytes: [0xf2, 0x0f, 0xc2] },
  { name: 'pclmulqdq', bytes: [0x66, 0x0f, 0x3a, 0x44] },
];

describe('pseudo-op names objdump prints', () => {
  it.skipIf(!toolsFor('pseudo-op names vs objdump', 'objdump'))('match objdump for every immediate, register and memory operands', () => {
    const code: number[] = [];
    for (const { bytes } of PREFIXED) {
      for (let imm = 0; imm < 256; imm++) for (const modrm of [0xca, 0x4d]) code.push(...bytes, modrm, ...(modrm === 0x4d ? [0x08] : []), imm);
    }
    const image = Uint8Array.from(code);
    const ref = objdumpRaw(image);
    const diffs: string[] = [];
    let off = 0;
    for (const r of ref) {
      expect(r.address).toBe(off);
      const insn = decode(image, off, off);
      const t = formatInsn(insn, image, off);
      const mine = t.operands ? `${t.mnemonic} ${t.operands}` : t.mnemonic;
      if (insn.length !== r.length || mine !== r.text) diffs.push(`${off.toString(16)}: objdump ${r.length} '${r.text}', ours ${insn.length} '${mine}'`);
      expect(PREFIXED.map((p) => p.name)).toContain(insn.mnemonic);
      off += r.length;
    }
    expect(off).toBe(image.length);
    expect(diffs.slice(0, 20)).toEqual([]);
  });
  it('examples', () => {
    const text = (hex: string) => {
      const b = Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));
      const t = formatInsn(decode(b, 0, 0), b, 0);
      return `${t.mnemonic} ${t.operands}`;
    };
    expect(text('0f c2 c1 01')).toBe('cmpltps xmm0,xmm1');
    expect(text('f2 0f c2 c1 07')).toBe('cmpordsd xmm0,xmm1');
    expect(text('0f c2 c1 08')).toBe('cmpps xmm0,xmm1,0x8');
    expect(text('66 0f 3a 44 c1 11')).toBe('pclmulhqhqdq xmm0,xmm1');
    expect(text('66 0f 3a 44 c1 12')).toBe('pclmulqdq xmm0,xmm1,0x12');
  });
});
