/**
 * CaseBuilder: the state the generator keeps while writing one case — the
 * nasm lines so far, the flags currently undefined (flag-model.ts), the
 * stack pointer (always known: ESP is never a random destination), and the
 * registers reserved by the instruction being built — plus the operand
 * pickers every form template uses.
 *
 * Memory operands always address the data region: their base (and index)
 * registers are loaded with `mov reg, imm32` right before the instruction,
 * so whatever earlier instructions did to them the access lands where the
 * generator meant; the address shapes vary (base, base+disp8/32,
 * base+index*scale+disp, index*scale+disp32, absolute, esp+disp8) to cover
 * the ModRM/SIB forms.
 */
import type { DecoderForm } from '../../src/decoder/form.js';
import { DATA_BASE, DEFAULT_ESP, OSZAPC } from '../support/harness-protocol.js';
import { applyEffect, type FlagEffect } from './flag-model.js';
import type { Rng } from './rng.js';

export const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
export const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
export const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;
export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;

export const regName = (num: number, size: number): string =>
  size === 1 ? R8[num]! : size === 2 ? R16[num]! : R32[num]!;
export const sizeWord = (size: number): string =>
  size === 1 ? 'byte' : size === 2 ? 'word' : size === 4 ? 'dword' : size === 8 ? 'qword' : '';
export const hexImm = (v: number): string => '0x' + (v >>> 0).toString(16);

/** Stack pointer bounds the generator keeps ESP in (inside the data region, above the data it addresses). */
export const STACK_LOW = DATA_BASE + 0xe000;
export const STACK_HIGH = DATA_BASE + 0xf800;
/** Memory operands address [DATA_LOW, DATA_HIGH). */
const DATA_LOW = DATA_BASE + 0x80;
const DATA_HIGH = DATA_BASE + 0xdf00;

export interface Line {
  /** nasm text; empty for a label line. */
  readonly text: string;
  /** A label defined here (".name"), or ''. */
  readonly label: string;
  /** The isa form this line is meant to encode, checked after assembly; -1 for helper lines. */
  readonly formId: number;
  /** Flags undefined when this line starts executing (masks a fault taken here). */
  readonly undefBefore: number;
}

export class CaseBuilder {
  readonly lines: Line[] = [];
  /** Flags whose values are undefined here (OSZAPC bits). */
  undef = 0;
  esp: number;
  /** Registers the current instruction's setup owns: operand pickers leave them alone. */
  private reserved = 0;
  private labels = 0;
  /** Flags undefined at each line that may transfer to the unmapped low pages. */
  escapeUndef = 0;
  /** Set once a line that never returns (a 16-bit transfer that always leaves) was written. */
  terminated = false;

  constructor(readonly rng: Rng, esp = DEFAULT_ESP) {
    this.esp = esp;
  }

  newLabel(): string {
    return `.L${this.labels++}`;
  }

  /** An instruction line meant to be form `form` (-1: a helper whose form is not checked). */
  emit(text: string, form: DecoderForm | null, effect: FlagEffect | null = null): void {
    this.lines.push({ text, label: '', formId: form === null ? -1 : form.id, undefBefore: this.undef });
    if (effect !== null) this.undef = applyEffect(this.undef, effect);
  }

  label(name: string): void {
    this.lines.push({ text: '', label: name, formId: -1, undefBefore: this.undef });
  }

  /** Helper: load a register with a constant (also ends any reservation conflict by construction). */
  set(reg: number, value: number, size = 4): void {
    this.emit(`mov ${regName(reg, size)}, ${hexImm(size === 4 ? value : size === 2 ? value & 0xffff : value & 0xff)}`, null);
  }

  /** Make the flags in `need` defined before an instruction that reads them: `cmp` defines all six. */
  defineFlags(need: number): void {
    if ((need & this.undef & OSZAPC) === 0) return;
    const a = this.rng.int(8), b = this.rng.int(8);
    if (this.rng.chance(0.5)) this.emit(`cmp ${R32[a]}, ${R32[b]}`, null, { defined: OSZAPC, undefined: 0 });
    else this.emit(`cmp ${R8[a]}, ${hexImm(this.rng.imm(1))}`, null, { defined: OSZAPC, undefined: 0 });
  }

  reserve(...regs: number[]): void {
    for (const r of regs) this.reserved |= 1 << r;
  }

  isReserved(reg: number): boolean {
    return (this.reserved & (1 << reg)) !== 0;
  }

  clearReservations(): void {
    this.reserved = 0;
  }

  /** A register number for a written operand: never ESP/SP (AH, number 4 at byte size, is fine). */
  dstReg(size: number): number {
    for (;;) {
      const r = this.rng.int(8);
      if (size === 1 || r !== ESP) return r;
    }
  }

  /** A register number for an operand only read: ESP now and then (its value is known). */
  srcReg(): number {
    return this.rng.int(8);
  }

  /** A general register not reserved and not ESP, for setup (base, index, counts). */
  freeReg(exclude = 0): number {
    const ok: number[] = [];
    for (let r = 0; r < 8; r++) if (r !== ESP && !this.isReserved(r) && !(exclude & (1 << r))) ok.push(r);
    return this.rng.pick(ok);
  }

  /** Can the stack grow by `down` bytes (negative: shrink) and stay in bounds? */
  stackFits(down: number): boolean {
    const e = this.esp - down;
    return e >= STACK_LOW && e <= STACK_HIGH;
  }

  /**
   * A memory operand of `size` bytes (0: no size keyword) in the data
   * region; emits the base/index loads now and reserves those registers.
   * `noAccess` (lea, hint nops): the address need not be in the data region.
   */
  mem(size: number, opts: { noAccess?: boolean; sizeWord?: boolean; noAbsolute?: boolean } = {}): string {
    const rng = this.rng;
    const span = Math.max(size, 1);
    const target = DATA_LOW + rng.int(DATA_HIGH - DATA_LOW - span);
    const kw = opts.sizeWord === false || size === 0 ? '' : sizeWord(size) + ' ';
    const seg = rng.chance(0.08) ? rng.pick(['ds:', 'ss:', 'es:']) : '';
    let shape = rng.int(8);
    if ((shape === 5 && opts.noAbsolute === true) || (shape === 7 && this.isReserved(EBP))) shape = 0;
    const disp8 = rng.range(-128, 127);
    const disp32 = rng.u32() | 0;
    const sdisp = (d: number): string => (d < 0 ? `-${hexImm(-d)}` : `+${hexImm(d)}`);
    const scale = rng.pick([1, 2, 4, 8]);
    const base = this.freeReg();
    this.reserve(base);
    const index = this.freeReg();
    const idxVal = rng.range(-64, 64);
    if (opts.noAccess === true) {
      // Any registers, any values: lea computes, the hint nops ignore the address.
      const b2 = rng.int(8), i2 = rng.int(8);
      switch (rng.int(4)) {
        case 0: return `${kw}[${seg}${R32[b2]}${sdisp(disp32)}]`;
        case 1: return `${kw}[${seg}${R32[b2]}+${R32[i2 === ESP ? EAX : i2]}*${scale}${sdisp(disp8)}]`;
        case 2: return `${kw}[${seg}${R32[i2 === ESP ? EBX : i2]}*${scale}${sdisp(disp32)}]`;
        default: return `${kw}[${seg}${hexImm(disp32)}]`;
      }
    }
    switch (shape) {
      case 0:
        this.set(base, target);
        return `${kw}[${seg}${R32[base]}]`;
      case 1:
        this.set(base, target - disp8);
        return `${kw}[${seg}${R32[base]}${sdisp(disp8)}]`;
      case 2:
        this.set(base, target - disp32);
        return `${kw}[${seg}${R32[base]}${sdisp(disp32)}]`;
      case 3: {
        this.reserve(index);
        this.set(index, idxVal);
        this.set(base, target - idxVal * scale - disp8);
        return `${kw}[${seg}${R32[base]}+${R32[index]}*${scale}${sdisp(disp8)}]`;
      }
      case 4: {
        this.reserve(index);
        this.set(index, idxVal);
        return `${kw}[${seg}${R32[index]}*${scale}${sdisp(target - idxVal * scale)}]`;
      }
      case 5:
        return `${kw}[${seg}${hexImm(target)}]`;
      case 6: {
        // Not [esp, esp+4): inside a call body that is the return address.
        const d = rng.chance(0.5) ? rng.range(-128, -span) : rng.range(4, 127 - span);
        return `${kw}[${seg}esp${sdisp(d)}]`;
      }
      default:
        this.set(EBP, target - disp8);
        this.reserve(EBP);
        return `${kw}[${seg}ebp${sdisp(disp8)}]`;
    }
  }
}
