/**
 * The guest CPU's state as QEMU prints it (`info registers`, `-d cpu`,
 * `-d int`, and btvm's dump on every abnormal end of a run), line for line
 * in QEMU's layout so the two can be diffed: general registers, EIP and
 * EFLAGS with the flag letters, CPL, the interrupt shadow (II) and HLT, each
 * segment with its selector, base, limit and descriptor flags (and in
 * protected mode its DPL and kind), LDT, TR, GDT, IDT, the control and debug
 * registers, EFER, and with `fpu` the x87 stack, MXCSR and the XMM registers
 * (`simd`; zero and the reset MXCSR without it).
 *
 * It lives in vmm/ because the monitor's own event log (-d int) prints it;
 * the debugger (src/debug/) and the CLI print it through here as well.
 */
import { CcOp, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS, type CpuState } from '../state/state.js';
import { eflagsOf } from '../state/flags-thunk.js';
import { fsw, type FpuState } from '../fpu/fpu-state.js';
import type { SimdState } from '../simd/unit/simd-state.js';
import { ATTR_MASK } from './descriptors.js';

export interface CpuDumpOptions {
  /** The x87 unit: adds QEMU's FCW/FSW/FPR and XMM lines (its CPU_DUMP_FPU). */
  readonly fpu?: FpuState;
  /** The SSE state for the MXCSR and XMM lines (with `fpu`). */
  readonly simd?: SimdState;
  /** The lazy-flags line (QEMU's CPU_DUMP_CCOP, as -d cpu and -d int print). */
  readonly ccop?: boolean;
  /** An interrupt is held back for one instruction (sti, mov ss): QEMU's II=1. */
  readonly interruptShadow?: boolean;
}

const hex = (v: number, digits: number): string => (v >>> 0).toString(16).padStart(digits, '0');

const SYSTEM_TYPES = [
  'Reserved', 'TSS16-avl', 'LDT', 'TSS16-busy', 'CallGate16', 'TaskGate', 'IntGate16', 'TrapGate16',
  'Reserved', 'TSS32-avl', 'Reserved', 'TSS32-busy', 'CallGate32', 'Reserved', 'IntGate32', 'TrapGate32',
];

/** Descriptor flags as QEMU keeps them: access rights, D/B, G, and the limit's bits 19:16 as the descriptor holds them. */
function descriptorFlags(attr: number, limit: number): number {
  const rawLimit = (attr & (1 << 23)) !== 0 ? limit >>> 12 : limit;
  return ((attr & ATTR_MASK) | (rawLimit & 0xf0000)) >>> 0;
}

function segmentLine(name: string, selector: number, base: number, limit: number, attr: number, protectedMode: boolean): string {
  const flags = descriptorFlags(attr, limit);
  let line = `${name.padEnd(3)}=${hex(selector, 4)} ${hex(base, 8)} ${hex(limit, 8)} ${hex(flags, 8)}`;
  if (!protectedMode || (flags & 0x8000) === 0) return line;
  line += ` DPL=${(flags >>> 13) & 3} `;
  if ((flags & 0x1000) === 0) return line + SYSTEM_TYPES[(flags >>> 8) & 15];
  const big = (flags & (1 << 22)) !== 0;
  if ((flags & 0x800) !== 0) line += `${big ? 'CS32' : 'CS16'} [${flags & 0x400 ? 'C' : '-'}${flags & 0x200 ? 'R' : '-'}`;
  else line += `${big ? 'DS  ' : 'DS16'} [${flags & 0x400 ? 'E' : '-'}${flags & 0x200 ? 'W' : '-'}`;
  return line + `${flags & 0x100 ? 'A' : '-'}]`;
}

const CC_NAMES = ['EFLAGS', 'ADD', 'ADC', 'SUB', 'SBB', 'LOGIC', 'INC', 'DEC', 'SHL', 'SAR', 'SAR', 'ROL', 'ROR', 'MUL'];
const SIZE_LETTER: Record<number, string> = { 1: 'B', 2: 'W', 4: 'L' };

/** The lazy flags as QEMU's CCS/CCD/CCO line (btvm's thunk: operand, result, operation and size). */
function ccLine(cpu: CpuState): string {
  const op = cpu.ccOp === CcOp.Shr ? 'SHR' : CC_NAMES[cpu.ccOp] ?? 'DYNAMIC';
  const name = cpu.ccOp === CcOp.Explicit ? op : op + (SIZE_LETTER[cpu.ccSize] ?? '');
  const src = cpu.ccOp === CcOp.Explicit ? eflagsOf(cpu) & 0x8d5 : cpu.ccB;
  return `CCS=${hex(src, 8)} CCD=${hex(cpu.ccRes, 8)} CCO=${name.padEnd(8)}`;
}

function fpuLines(fpu: FpuState, simd: SimdState | undefined): string[] {
  const mxcsr = simd?.mxcsr ?? 0x1f80;
  const lines = [`FCW=${hex(fpu.fcw, 4)} FSW=${hex(fsw(fpu), 4)} [ST=${fpu.top}] FTW=${hex(fpu.used & 0xff, 2)} MXCSR=${hex(mxcsr, 8)}`];
  for (let i = 0; i < 8; i += 2) {
    const reg = (r: number) => `FPR${r}=${hex(fpu.regs[r * 3 + 1]!, 8)}${hex(fpu.regs[r * 3 + 2]!, 8)} ${hex(fpu.regs[r * 3]! & 0xffff, 4)}`;
    lines.push(`${reg(i)} ${reg(i + 1)}`);
  }
  // QEMU prints each XMM register as its high qword, then its low one.
  const x = simd?.u32;
  const w = (i: number): string => hex(x?.[i] ?? 0, 8);
  const xmm = (r: number): string => `XMM${hex(r, 2)}=${w(4 * r + 3)}${w(4 * r + 2)} ${w(4 * r + 1)}${w(4 * r)}`;
  for (let i = 0; i < 8; i += 2) lines.push(`${xmm(i)} ${xmm(i + 1)}`);
  return lines;
}

/** QEMU's register dump of `cpu`, one string with a newline after each line. */
export function formatCpuDump(cpu: CpuState, options: CpuDumpOptions = {}): string {
  const r = cpu.regs;
  const efl = eflagsOf(cpu);
  const flag = (bit: number, letter: string) => ((efl >>> bit) & 1 ? letter : '-');
  const pe = (cpu.cr0 & 1) !== 0;
  const segs: [string, number][] = [['ES', SEG_ES], ['CS', SEG_CS], ['SS', SEG_SS], ['DS', SEG_DS], ['FS', SEG_FS], ['GS', SEG_GS]];
  const lines = [
    `EAX=${hex(r[0]!, 8)} EBX=${hex(r[3]!, 8)} ECX=${hex(r[1]!, 8)} EDX=${hex(r[2]!, 8)}`,
    `ESI=${hex(r[6]!, 8)} EDI=${hex(r[7]!, 8)} EBP=${hex(r[5]!, 8)} ESP=${hex(r[4]!, 8)}`,
    `EIP=${hex(cpu.eip, 8)} EFL=${hex(efl, 8)} [${flag(10, 'D')}${flag(11, 'O')}${flag(7, 'S')}${flag(6, 'Z')}${flag(4, 'A')}${flag(2, 'P')}${flag(0, 'C')}] ` +
      `CPL=${cpu.cpl} II=${options.interruptShadow ? 1 : 0} A20=1 SMM=0 HLT=${cpu.halted ? 1 : 0}`,
    ...segs.map(([name, s]) => segmentLine(name, cpu.segSel[s]!, cpu.segBase[s]!, cpu.segLimit[s]!, cpu.segAttr[s]!, pe)),
    segmentLine('LDT', cpu.ldtSel, cpu.ldtBase, cpu.ldtLimit, 0x8200, pe),
    segmentLine('TR', cpu.trSel, cpu.trBase, cpu.trLimit, cpu.trAttr, pe),
    `GDT=     ${hex(cpu.gdtBase, 8)} ${hex(cpu.gdtLimit, 8)}`,
    `IDT=     ${hex(cpu.idtBase, 8)} ${hex(cpu.idtLimit, 8)}`,
    `CR0=${hex(cpu.cr0, 8)} CR2=${hex(cpu.cr2, 8)} CR3=${hex(cpu.cr3, 8)} CR4=${hex(cpu.cr4, 8)}`,
    `DR0=${hex(cpu.dr[0]!, 8)} DR1=${hex(cpu.dr[1]!, 8)} DR2=${hex(cpu.dr[2]!, 8)} DR3=${hex(cpu.dr[3]!, 8)} `,
    `DR6=${hex(cpu.dr[6]!, 8)} DR7=${hex(cpu.dr[7]!, 8)}`,
    ...(options.ccop ? [ccLine(cpu)] : []),
    'EFER=0000000000000000',
    ...(options.fpu ? fpuLines(options.fpu, options.simd) : []),
  ];
  return lines.join('\n') + '\n';
}
