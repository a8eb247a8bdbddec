/**
 * The guest registers as gdb's remote protocol numbers them for i386, in the
 * order QEMU's i386 stub offers (so one gdb script reads the same register
 * numbers from btvm and from `qemu-system-i386 -s`): the eight general
 * registers, eip, eflags, the six selectors, fs_base/gs_base/k_gs_base, the
 * control registers cr0 cr2 cr3 cr4 cr8 and efer, the x87 stack and its
 * environment, the eight XMM registers and MXCSR.
 *
 * The XMM registers and MXCSR are the SIMD unit's (a machine without one
 * reads zero and MXCSR's reset value 0x1f80). btvm's CPU has no CR8 and no
 * EFER (cpu-features.ts): they read as zero and writes to them are ignored. `g` packs every register in this order,
 * little-endian; `p`/`P` address them by index. The target description
 * (target-xml.ts) is generated from this same table, so the two cannot
 * disagree.
 */
import type { CpuState } from '../state/state.js';
import { SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../state/state.js';
import { fsw, setFsw, setTagWord, tagWord, type FpuState } from '../fpu/fpu-state.js';
import { readEflags, writeEflags } from '../vmm/lazy-flags.js';

export interface GdbRegister {
  readonly name: string;
  /** Size in bits: 32, 80 (x87) or 128 (XMM). */
  readonly bits: 32 | 80 | 128;
  /** The XML type gdb shows it with. */
  readonly type: string;
  readonly group?: 'float' | 'vector';
}

const r32 = (name: string, type = 'int32', group?: 'float'): GdbRegister => ({ name, bits: 32, type, group });

export const GDB_REGISTERS: readonly GdbRegister[] = [
  ...['eax', 'ecx', 'edx', 'ebx'].map((n) => r32(n)),
  r32('esp', 'data_ptr'), r32('ebp', 'data_ptr'), r32('esi'), r32('edi'),
  r32('eip', 'code_ptr'), r32('eflags', 'i386_eflags'),
  ...['cs', 'ss', 'ds', 'es', 'fs', 'gs', 'fs_base', 'gs_base', 'k_gs_base'].map((n) => r32(n)),
  r32('cr0', 'i386_cr0'), r32('cr2'), r32('cr3', 'i386_cr3'), r32('cr4', 'i386_cr4'), r32('cr8'), r32('efer', 'i386_efer'),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): GdbRegister => ({ name: `st${i}`, bits: 80, type: 'i387_ext' })),
  ...['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop'].map((n) => r32(n, 'int', 'float')),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): GdbRegister => ({ name: `xmm${i}`, bits: 128, type: 'vec128' })),
  { name: 'mxcsr', bits: 32, type: 'i386_mxcsr', group: 'vector' },
];

export const GDB_REGISTER_INDEX: ReadonlyMap<string, number> = new Map(GDB_REGISTERS.map((r, i) => [r.name, i]));

/** The selector registers in gdb's order, as CpuState segment numbers. */
const SELECTORS = [SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS];
const MXCSR_RESET = 0x1f80;
const FIRST_ST = GDB_REGISTER_INDEX.get('st0')!;
const FIRST_FENV = GDB_REGISTER_INDEX.get('fctrl')!;

/** The SSE state as the register file reads it (simd/unit/simd-state.ts SimdState has this shape). */
export interface SseRegisters {
  readonly u8: Uint8Array;
  mxcsr: number;
}

/** What the registers live in: the CPU, the x87 unit's state and the SIMD unit's. */
export interface RegisterFile {
  readonly cpu: CpuState;
  readonly fpu: FpuState;
  readonly sse?: SseRegisters;
}
const FIRST_XMM = GDB_REGISTER_INDEX.get('xmm0')!;

/** A 32-bit register's value (unsigned), or null for the x87 data and XMM registers. */
export function readRegister32(file: RegisterFile, index: number): number | null {
  const { cpu, fpu } = file;
  if (index < 8) return cpu.regs[index]! >>> 0;
  if (index >= 10 && index < 16) return cpu.segSel[SELECTORS[index - 10]!]!;
  switch (GDB_REGISTERS[index]?.name) {
    case 'eip': return cpu.eip >>> 0;
    case 'eflags': return readEflags(cpu);
    case 'fs_base': return cpu.segBase[SEG_FS]! >>> 0;
    case 'gs_base': return cpu.segBase[SEG_GS]! >>> 0;
    case 'cr0': return cpu.cr0 >>> 0;
    case 'cr2': return cpu.cr2 >>> 0;
    case 'cr3': return cpu.cr3 >>> 0;
    case 'cr4': return cpu.cr4 >>> 0;
    case 'k_gs_base': case 'cr8': case 'efer': return 0;
    case 'fctrl': return fpu.fcw;
    case 'fstat': return fsw(fpu);
    case 'ftag': return tagWord(fpu);
    case 'fiseg': return fpu.fcs;
    case 'fioff': return fpu.fip >>> 0;
    case 'foseg': return fpu.fds;
    case 'fooff': return fpu.fdp >>> 0;
    case 'fop': return fpu.fop;
    case 'mxcsr': return file.sse?.mxcsr ?? MXCSR_RESET;
    default: return null;
  }
}

/** Register `index` as gdb's bytes (little-endian; ST(i) as the 80-bit extended value). */
export function readRegisterBytes(file: RegisterFile, index: number): Uint8Array {
  const reg = GDB_REGISTERS[index]!;
  const out = new Uint8Array(reg.bits / 8);
  const view = new DataView(out.buffer);
  const v = readRegister32(file, index);
  if (v !== null) view.setUint32(0, v, true);
  else if (reg.bits === 80) {
    const fpu = file.fpu;
    const physical = (fpu.top + index - FIRST_ST) & 7;
    view.setUint32(0, fpu.regs[physical * 3 + 2]!, true);
    view.setUint32(4, fpu.regs[physical * 3 + 1]!, true);
    view.setUint16(8, fpu.regs[physical * 3]! & 0xffff, true);
  } else if (reg.bits === 128 && file.sse !== undefined) {
    const at = 16 * (index - FIRST_XMM);
    out.set(file.sse.u8.subarray(at, at + 16));
  }
  return out;
}

/** Writes register `index` from gdb's bytes; registers this CPU does not have ignore the write. */
export function writeRegisterBytes(file: RegisterFile, index: number, bytes: Uint8Array): void {
  const { cpu, fpu } = file;
  const reg = GDB_REGISTERS[index];
  if (reg === undefined || bytes.length < reg.bits / 8) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (reg.bits === 80) {
    const physical = (fpu.top + index - FIRST_ST) & 7;
    fpu.regs[physical * 3 + 2] = view.getUint32(0, true);
    fpu.regs[physical * 3 + 1] = view.getUint32(4, true);
    fpu.regs[physical * 3] = view.getUint16(8, true);
    return;
  }
  if (reg.bits === 128) {
    file.sse?.u8.set(bytes.subarray(0, 16), 16 * (index - FIRST_XMM));
    return;
  }
  if (reg.bits !== 32) return;
  const v = view.getUint32(0, true);
  if (index < 8) { cpu.regs[index] = v | 0; return; }
  if (index >= 10 && index < 16) { cpu.segSel[SELECTORS[index - 10]!] = v & 0xffff; return; }
  switch (reg.name) {
    case 'eip': cpu.eip = v; break;
    case 'eflags': writeEflags(cpu, v); break;
    case 'fs_base': cpu.segBase[SEG_FS] = v | 0; break;
    case 'gs_base': cpu.segBase[SEG_GS] = v | 0; break;
    case 'cr2': cpu.cr2 = v | 0; break;
    case 'fctrl': fpu.fcw = v & 0xffff; break;
    case 'fstat': setFsw(fpu, v & 0xffff); break;
    case 'ftag': setTagWord(fpu, v & 0xffff); break;
    case 'mxcsr': if (file.sse !== undefined && (v & ~0xffff) === 0) file.sse.mxcsr = v; break;
    default:
      // cr0/cr3/cr4 change paging and the translation mode: the guest's own mov to CRn does that properly.
      if (index >= FIRST_FENV) {
        if (reg.name === 'fiseg') fpu.fcs = v & 0xffff;
        else if (reg.name === 'fioff') fpu.fip = v | 0;
        else if (reg.name === 'foseg') fpu.fds = v & 0xffff;
        else if (reg.name === 'fooff') fpu.fdp = v | 0;
        else if (reg.name === 'fop') fpu.fop = v & 0x7ff;
      }
  }
}
