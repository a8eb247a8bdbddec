/**
 * Register names the assembler accepts, with the class/number/size the
 * decoder uses (src/decoder/insn.ts numbering), so a parsed register operand
 * compares directly with a decoded one. x87 registers are written st0..st7
 * (nasm) or st(0)..st(7); `st` alone is st0.
 */
import type { RegClass } from '../decoder/insn.js';

export interface RegInfo {
  readonly cls: RegClass;
  readonly num: number;
  /** Bytes; 10 for st(i), 8 for mm, 16 for xmm, 4 for cr/dr, 2 for segment registers. */
  readonly size: number;
}

const table = new Map<string, RegInfo>();
function add(names: readonly string[], cls: RegClass, size: number): void {
  names.forEach((n, num) => table.set(n, Object.freeze({ cls, num, size })));
}
add(['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'], 'gpr', 1);
add(['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'], 'gpr', 2);
add(['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'], 'gpr', 4);
add(['es', 'cs', 'ss', 'ds', 'fs', 'gs'], 'seg', 2);
add(['cr0', 'cr1', 'cr2', 'cr3', 'cr4', 'cr5', 'cr6', 'cr7'], 'cr', 4);
add(['dr0', 'dr1', 'dr2', 'dr3', 'dr4', 'dr5', 'dr6', 'dr7'], 'dr', 4);
add(['tr0', 'tr1', 'tr2', 'tr3', 'tr4', 'tr5', 'tr6', 'tr7'], 'tr', 4);
add(['st0', 'st1', 'st2', 'st3', 'st4', 'st5', 'st6', 'st7'], 'st', 10);
add(['mm0', 'mm1', 'mm2', 'mm3', 'mm4', 'mm5', 'mm6', 'mm7'], 'mm', 8);
add(['xmm0', 'xmm1', 'xmm2', 'xmm3', 'xmm4', 'xmm5', 'xmm6', 'xmm7'], 'xmm', 16);
table.set('st', table.get('st0')!);

/** Register by lower-case name, or undefined. */
export function lookupRegister(name: string): RegInfo | undefined {
  return table.get(name.toLowerCase());
}

export const GPR32_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
export const GPR16_NAMES = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
export const GPR8_NAMES = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

/** The name nasm accepts for a register (inverse of lookupRegister, for generated test text). */
export function registerName(cls: RegClass, num: number, size: number): string {
  switch (cls) {
    case 'gpr': return (size === 1 ? GPR8_NAMES : size === 2 ? GPR16_NAMES : GPR32_NAMES)[num]!;
    case 'seg': return SEG_NAMES[num]!;
    case 'st': return `st${num}`;
    default: return `${cls}${num}`;
  }
}
