/**
 * The default segment of every memory addressing form, against the SDM's
 * rule (Intel SDM vol. 1 §3.7.5 and vol. 2 tables 2-1 to 2-3): an address
 * whose base register is ESP or EBP (BP in 16-bit addressing) goes through
 * SS, every other one through DS — and "no base" forms (mod=00 with
 * rm=101, or SIB base=101 under mod=00, or 16-bit mod=00 rm=110) are DS even
 * though their encodings contain the EBP/BP number. An index register never
 * decides the segment ([eax+ebp*2] is DS). A segment prefix overrides all of
 * it.
 *
 * Every 32-bit ModRM × SIB byte combination and every 16-bit ModRM byte is
 * decoded as `mov eax, [mem]` by both the fast path and the general decoder.
 */
import { describe, expect, it } from 'vitest';
import { decode, MODE32 } from '../../src/decoder/decode.js';
import { decodeGeneral } from '../../src/decoder/decode-general.js';
import type { DecodedInsn, MemOperand } from '../../src/decoder/insn.js';

const ES = 0, SS = 2, DS = 3;
const EBP = 5, ESP = 4, BP = 5;
const MOV_R32_RM32 = 0x8b;

/** The SDM's base register of a 32-bit form, or -1 for none, and the displacement size. */
function sdmForm32(modrm: number, sib: number): { base: number; index: number; disp: number } {
  const mod = modrm >> 6, rm = modrm & 7;
  const dispByMod = [0, 1, 4][mod]!;
  if (rm !== 4) {
    if (mod === 0 && rm === 5) return { base: -1, index: -1, disp: 4 };
    return { base: rm, index: -1, disp: dispByMod };
  }
  const sibBase = sib & 7, sibIndex = (sib >> 3) & 7;
  const index = sibIndex === 4 ? -1 : sibIndex;
  if (mod === 0 && sibBase === 5) return { base: -1, index, disp: 4 };
  return { base: sibBase, index, disp: dispByMod };
}

/** 16-bit forms: SDM table 2-1's base (BX, BP, or none when only SI/DI or disp16). */
function sdmBase16(modrm: number): number {
  const mod = modrm >> 6, rm = modrm & 7;
  if (mod === 0 && rm === 6) return -1;
  return [3, 3, BP, BP, -1, -1, BP, 3][rm]!;
}

const sdmSegment = (base: number, ssBase: number[]) => (ssBase.includes(base) ? SS : DS);

function memOf(insn: DecodedInsn): MemOperand {
  const m = insn.operands.find((o) => o.kind === 'mem');
  if (!m || m.kind !== 'mem') throw new Error(`no memory operand (status ${insn.status})`);
  return m;
}

function bytes(...b: number[]): Uint8Array {
  const buf = new Uint8Array(80);
  buf.set(b);
  // Non-zero displacement bytes, so a wrong displacement size also shows.
  for (let i = b.length; i < b.length + 4; i++) buf[i] = 0x11 * (i - b.length + 1);
  return buf;
}

const decoders = [
  ['fast path', (buf: Uint8Array) => decode(buf, 0, 0x1000)],
  ['general decoder', (buf: Uint8Array) => decodeGeneral(buf, 0, 0x1000, MODE32)],
] as const;

describe.each(decoders)('default segment (%s)', (_name, dec) => {
  it('of every 32-bit ModRM x SIB form follows the SDM rule', () => {
    const wrong: string[] = [];
    for (let modrm = 0; modrm < 0xc0; modrm++) {
      const sibs = (modrm & 7) === 4 ? Array.from({ length: 256 }, (_, s) => s) : [0];
      for (const sib of sibs) {
        const hasSib = (modrm & 7) === 4;
        const insn = dec(hasSib ? bytes(MOV_R32_RM32, modrm, sib) : bytes(MOV_R32_RM32, modrm));
        const form = sdmForm32(modrm, sib);
        const m = memOf(insn);
        const want = sdmSegment(form.base, [ESP, EBP]);
        const length = 2 + (hasSib ? 1 : 0) + form.disp;
        if (m.seg !== want || m.segOverride || m.base !== form.base || m.index !== form.index || insn.length !== length) {
          const hex = (v: number) => v.toString(16).padStart(2, '0');
          wrong.push(`modrm ${hex(modrm)}${hasSib ? ` sib ${hex(sib)}` : ''}: seg ${m.seg} base ${m.base} index ${m.index} length ${insn.length}; SDM: seg ${want} base ${form.base} index ${form.index} length ${length}`);
        }
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('of every 16-bit ModRM form (0x67 prefix) follows the SDM rule: BP-based forms use SS', () => {
    const wrong: string[] = [];
    for (let modrm = 0; modrm < 0xc0; modrm++) {
      const m = memOf(dec(bytes(0x67, MOV_R32_RM32, modrm)));
      const base = sdmBase16(modrm);
      const want = sdmSegment(base, [BP]);
      if (m.seg !== want || m.addrSize !== 2) wrong.push(`modrm ${modrm.toString(16)}: seg ${m.seg}, SDM ${want}`);
    }
    expect(wrong).toEqual([]);
  });

  it('spot checks: [ebp+esi*4+8] and [esp] are SS; [eax+ebp*2], [disp32] and [disp32+ebp*1] are DS', () => {
    const seg = (...b: number[]) => memOf(dec(bytes(MOV_R32_RM32, ...b))).seg;
    expect(seg(0x44, 0xb5)).toBe(SS); // [ebp+esi*4+disp8]
    expect(seg(0x04, 0x24)).toBe(SS); // [esp]
    expect(seg(0x04, 0x68)).toBe(DS); // [eax+ebp*2]
    expect(seg(0x05)).toBe(DS); // [disp32]
    expect(seg(0x04, 0x2d)).toBe(DS); // [disp32+ebp*1]: base=101 under mod=00 is no base
    expect(seg(0x45)).toBe(SS); // [ebp+disp8]
  });

  it('gives way to a segment prefix, which is recorded as an override', () => {
    const m = memOf(dec(bytes(0x26, MOV_R32_RM32, 0x44, 0xb5)));
    expect(m.seg).toBe(ES);
    expect(m.segOverride).toBe(true);
  });
});
