/**
 * Generates nasm-syntax instruction lines from the isa/ forms, each with
 * what the decoder should report back: the round-trip test checks the
 * decoded form and operands against `expect`, the nasm differential test
 * assembles the same lines with nasm. Operands are random (seeded), so
 * every run covers the same lines.
 */
import type { DecoderForm } from '../../src/decoder/form.js';
import { MOD_MEM, MOD_REG } from '../../src/decoder/form.js';
import { OpKind, SZ_A, SZ_P, SZ_V, type OperandSpec } from '../../src/decoder/operand-specs.js';
import { getFormIndex } from '../../src/assembler/form-index.js';
import { registerName } from '../../src/assembler/registers.js';

export type Expect =
  | { kind: 'reg'; cls: string; num: number; size: number }
  | { kind: 'mem'; base: number; index: number; scale: number; disp: number; seg: number }
  | { kind: 'imm'; value: number; size: number }
  | { kind: 'rel'; offset: number }
  | { kind: 'far'; selector: number; offset: number };

export interface FormLine {
  readonly text: string;
  readonly form: DecoderForm;
  readonly bits: 16 | 32;
  /** One entry per form operand; null for implicit ones (string operands, fixed registers). */
  readonly expect: readonly (Expect | null)[];
  /**
   * nasm encodes this line differently from what it says: `o16 jo` keeps a
   * rel32 after the 66, and in BITS 16 nasm adds 66 to rdpid and the CET
   * shadow-stack forms. btvm encodes what the CPU will read, so the nasm
   * corpus leaves these lines out; the round trip keeps them.
   */
  readonly nasmDiffers: boolean;
}

export class Rng {
  constructor(private s: number) {}
  next(): number {
    // mulberry32
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

const SIZE_WORD: Readonly<Record<number, string>> = { 1: 'byte', 2: 'word', 4: 'dword', 6: 'fword', 8: 'qword', 10: 'tword', 16: 'oword' };

export function hex(v: number): string {
  return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** A random memory operand: its nasm text and the decoded fields nasm's encoding gives. */
export function randomMemory(rng: Rng, addr: 16 | 32, withSeg: boolean, bits: 16 | 32 = addr): { text: string; expect: Expect } {
  const seg = withSeg && rng.next() < 0.2 ? rng.int(0, 5) : -1;
  const segText = seg >= 0 ? `${registerName('seg', seg, 2)}:` : '';
  const dispKind = rng.int(0, 4);
  if (addr === 16) {
    const base = rng.pick([-1, 3, 5]);
    const index = rng.pick([-1, 6, 7]);
    const disp = base < 0 && index < 0 ? rng.int(0, 0x7fff) : [0, rng.int(-128, 127), rng.int(-0x8000, 0x7fff)][dispKind % 3]!;
    const parts = [base >= 0 ? registerName('gpr', base, 2) : '', index >= 0 ? registerName('gpr', index, 2) : ''].filter((x) => x);
    const text = `[${segText}${parts.join('+')}${disp !== 0 || parts.length === 0 ? (parts.length && disp >= 0 ? '+' : '') + hex(disp) : ''}]`;
    // The decoder reports a lone si/di as the base.
    return { text, expect: { kind: 'mem', base: base < 0 ? index : base, index: base < 0 ? -1 : index, scale: 1, disp, seg } };
  }
  let index = rng.pick([-1, -1, 0, 1, 2, 3, 5, 6, 7]);
  // Under BITS 16 a register must make the address 32-bit; a bare number would be a 16-bit one.
  let base = rng.pick(bits === 16 && index < 0 ? [0, 1, 2, 3, 4, 5, 6, 7] : [-1, 0, 1, 2, 3, 4, 5, 6, 7]);
  let scale = rng.pick([1, 2, 4, 8]);
  const disp = [0, rng.int(-128, 127), rng.int(-0x80000000, 0x7fffffff), 0x80, -0x81][dispKind]!;
  const parts: string[] = [];
  if (base >= 0) parts.push(registerName('gpr', base, 4));
  if (index >= 0) parts.push(`${registerName('gpr', index, 4)}${scale !== 1 ? `*${scale}` : ''}`);
  let text = parts.join('+');
  if (disp !== 0 || parts.length === 0) text += parts.length > 0 && disp >= 0 ? `+${hex(disp)}` : hex(disp);
  // What nasm makes of it: a lone index with scale 1 is a base, with scale 2 it splits into base+index.
  if (base < 0 && index >= 0 && scale <= 2) {
    base = index;
    if (scale === 1) index = -1; else scale = 1;
  }
  if (index < 0) scale = 1;
  return { text: `[${segText}${text}]`, expect: { kind: 'mem', base, index, scale, disp: disp | 0, seg } };
}

function gprSize(spec: OperandSpec, osz: number): number {
  return spec.size === SZ_V ? osz : spec.size === SZ_P ? osz + 2 : spec.size === SZ_A ? osz * 2 : spec.size;
}

const STRING_FORMS = new Set(['movs', 'cmps', 'stos', 'lods', 'scas', 'ins', 'outs']);
const SUFFIX_FORMS: Readonly<Record<string, [string, string]>> = {
  pusha: ['pushaw', 'pushad'], popa: ['popaw', 'popad'], pushf: ['pushfw', 'pushfd'], popf: ['popfw', 'popfd'], iret: ['iretw', 'iretd'],
};

/**
 * One line for a form at BITS `bits`, or null if the form has no nasm
 * spelling here. `preferMemory` steers E operands to memory so forms that
 * a shorter register form shadows (c6 /0 vs b0+r) are reached too.
 */
export function lineForForm(form: DecoderForm, bits: 16 | 32, rng: Rng, preferMemory: boolean): FormLine | null {
  const name = getFormIndex().nameOf.get(form.id)!;
  // 90 is nop to nasm and to the decoder; `xchg eax,eax` names it.
  if (form.mnemonic === 'xchg' && form.opcode === 0x90) return null;
  const isStr = STRING_FORMS.has(name) || name === 'xlat';
  let osz: 2 | 4 = bits === 32 ? 4 : 2;
  if (form.osz !== 0) osz = form.osz;
  else if (form.usesOpSize && rng.next() < 0.35) osz = osz === 4 ? 2 : 4;
  // mov sreg,r/m and r/m-only word forms: nasm never adds 66 for them.
  if (form.ops.some((s) => s.kind === OpKind.E && s.memSize === 2 && s.size === SZ_V) && (form.ops[0]?.kind === OpKind.S || rng.next() < 0.5)) osz = bits === 32 ? 4 : 2;
  // nasm has no 16-bit bswap, nor movzx/movsx from a word into a word.
  if (name === 'bswap' || ((name === 'movzx' || name === 'movsx') && form.ops[1]?.size === 2)) osz = 4;
  const addr: 16 | 32 = bits === 16 ? (rng.next() < 0.75 ? 16 : 32) : rng.next() < 0.1 ? 16 : 32;
  const texts: string[] = [];
  const expect: (Expect | null)[] = [];
  let carried = false;
  for (const [i, spec] of form.ops.entries()) {
    const sz = gprSize(spec, osz);
    const useMem = form.mod === MOD_MEM || (form.mod !== MOD_REG && (preferMemory || rng.next() < 0.5));
    switch (spec.kind) {
      case OpKind.E: case OpKind.Q: case OpKind.W: {
        if (useMem) {
          const m = randomMemory(rng, addr, true, bits);
          const msz = spec.memSize !== 0 ? spec.memSize : sz;
          const word = spec.kind === OpKind.E ? `${SIZE_WORD[msz]} ` : '';
          if (spec.kind === OpKind.E && spec.size === SZ_V && spec.memSize === 0) carried = true;
          texts.push(word + m.text);
          expect.push(m.expect);
        } else {
          const cls = spec.kind === OpKind.E ? 'gpr' : spec.kind === OpKind.Q ? 'mm' : 'xmm';
          const num = rng.int(0, 7);
          const rsz = cls === 'gpr' ? sz : cls === 'mm' ? 8 : 16;
          if (spec.size === SZ_V && cls === 'gpr') carried = true;
          texts.push(registerName(cls, num, rsz));
          expect.push({ kind: 'reg', cls, num, size: rsz });
        }
        break;
      }
      case OpKind.M: {
        const m = randomMemory(rng, addr, true, bits);
        let word = '';
        if (spec.size === SZ_P) word = name === 'call' || name === 'jmp' ? 'far ' : '';
        // Byte-sized hint operands (prefetch, clflush, invlpg) are written unsized in nasm.
        else if (!spec.hideSize && spec.size !== SZ_A && sz !== 1) word = `${SIZE_WORD[sz]} `;
        if (spec.size === SZ_V) carried = true;
        texts.push(word + m.text);
        expect.push(m.expect);
        break;
      }
      case OpKind.R: case OpKind.H: case OpKind.G: case OpKind.Z: case OpKind.T: {
        if (spec.kind === OpKind.T) {
          const num = rng.int(3, 7);
          texts.push(`tr${num}`);
          expect.push({ kind: 'reg', cls: 'tr', num, size: 4 });
          break;
        }
        // A +r form's register is part of its opcode.
        const num = spec.kind === OpKind.Z ? form.opcode & 7 : rng.int(0, 7);
        const rsz = spec.kind === OpKind.H ? 4 : sz;
        if (spec.size === SZ_V) carried = true;
        texts.push(registerName('gpr', num, rsz));
        expect.push({ kind: 'reg', cls: 'gpr', num, size: rsz });
        break;
      }
      case OpKind.S: {
        const num = i === 0 ? rng.pick([0, 2, 3, 4, 5]) : rng.int(0, 5);
        texts.push(registerName('seg', num, 2));
        expect.push({ kind: 'reg', cls: 'seg', num, size: 2 });
        break;
      }
      case OpKind.C: case OpKind.D: {
        const cls = spec.kind === OpKind.C ? 'cr' : 'dr';
        const num = cls === 'cr' ? rng.pick([0, 2, 3, 4]) : rng.pick([0, 1, 2, 3, 6, 7]);
        texts.push(`${cls}${num}`);
        expect.push({ kind: 'reg', cls, num, size: 4 });
        break;
      }
      case OpKind.P: case OpKind.N: case OpKind.V: case OpKind.U: case OpKind.STi: {
        const cls = spec.kind === OpKind.P || spec.kind === OpKind.N ? 'mm' : spec.kind === OpKind.STi ? 'st' : 'xmm';
        const num = rng.int(0, 7);
        texts.push(registerName(cls, num, 0));
        expect.push({ kind: 'reg', cls, num, size: cls === 'mm' ? 8 : cls === 'st' ? 10 : 16 });
        break;
      }
      case OpKind.I: {
        // Values a shorter form would not take: no 1 for shifts, no sign-extendable byte for Iz.
        const v = sz === 1 ? rng.int(2, 255) : sz === 2 ? rng.int(0x80, 0xff7f) : (rng.int(0x80, 0x7fffffff) * (rng.next() < 0.5 ? 1 : -1)) | 0;
        const value = sz === 4 ? v >>> 0 : v;
        if (value >= 0xffffff80 || (sz === 2 && value >= 0xff80)) return null;
        texts.push(hex(v));
        expect.push({ kind: 'imm', value, size: sz });
        break;
      }
      case OpKind.Ibs: {
        const v = rng.int(-128, 127);
        texts.push(String(v));
        expect.push({ kind: 'imm', value: osz === 4 ? v >>> 0 : v & 0xffff, size: osz });
        break;
      }
      case OpKind.J: {
        const offset = sz === 1 ? rng.int(-100, 100) : (rng.next() < 0.5 ? 1 : -1) * rng.int(0x200, osz === 2 ? 0x7000 : 0x100000);
        texts.push(offset >= 0 ? `$+${hex(offset)}` : `$-${hex(-offset)}`);
        expect.push({ kind: 'rel', offset });
        break;
      }
      case OpKind.O: {
        const disp = bits === 16 ? rng.int(0, 0x7fff) : rng.int(0, 0x7fffffff);
        texts.push(`[${hex(disp)}]`);
        expect.push({ kind: 'mem', base: -1, index: -1, scale: 1, disp, seg: -1 });
        break;
      }
      case OpKind.A: {
        const selector = rng.int(0, 0xffff);
        const offset = osz === 2 ? rng.int(0, 0xffff) : rng.int(0, 0x7fffffff);
        texts.push(`${osz !== bits / 8 ? SIZE_WORD[osz] + ' ' : ''}${hex(selector)}:${hex(offset)}`);
        carried = true;
        expect.push({ kind: 'far', selector, offset });
        break;
      }
      case OpKind.Fixed: {
        const cls = spec.cls === 'none' ? 'gpr' : spec.cls;
        const rsz = cls === 'gpr' ? sz : cls === 'seg' ? 2 : cls === 'st' ? 10 : 16;
        if (spec.size === SZ_V) carried = true;
        if (!isStr) texts.push(registerName(cls as 'gpr', spec.num, rsz));
        expect.push(null);
        break;
      }
      case OpKind.One:
        texts.push('1');
        expect.push(null);
        break;
      case OpKind.X: case OpKind.Y: case OpKind.Xlat:
        expect.push(null);
        break;
      default:
        return null;
    }
  }
  let mnem = name;
  let prefix = '';
  let nasmDiffers = bits === 16 && /^(rdpid|rdsspd|incsspd|wrssd|wrussd)$/.test(name);
  const sizedIndex = form.ops.findIndex((s) => (s.kind === OpKind.I || s.kind === OpKind.J) && s.size === SZ_V);
  if (form.usesOpSize && !carried && osz !== bits / 8 && sizedIndex >= 0 && !isStr && SUFFIX_FORMS[name] === undefined) {
    // nasm sizes an immediate or branch by its keyword (`push word 5`, `jmp word x`); o16 would keep the BITS-sized field.
    texts[sizedIndex] = `${SIZE_WORD[osz]} ${texts[sizedIndex]}`;
    carried = true;
    // …except that it refuses `jo word x`: the o16 form of a near jcc has no nasm spelling.
    if (form.map !== 0 && form.opcode >= 0x80 && form.opcode <= 0x8f) {
      texts[sizedIndex] = texts[sizedIndex]!.replace(/^\w+ /, '');
      carried = false;
      nasmDiffers = true;
    }
  }
  if (isStr) {
    const wide = form.ops.some((s) => (s.kind === OpKind.X || s.kind === OpKind.Y) && s.size === SZ_V);
    mnem = name === 'xlat' ? 'xlatb' : name + (wide ? (osz === 2 ? 'w' : 'd') : 'b');
  } else if (SUFFIX_FORMS[name] !== undefined) {
    mnem = SUFFIX_FORMS[name]![osz === 2 ? 0 : 1];
  } else if (form.usesOpSize && !carried && osz !== bits / 8) {
    prefix = `o${osz * 8} `;
  }
  return { text: `${prefix}${mnem}${texts.length ? ' ' + texts.join(', ') : ''}`, form, bits, expect, nasmDiffers };
}
