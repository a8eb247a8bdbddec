/**
 * lar, lsl, verr, verw and arpl: instructions that inspect a selector and
 * report through ZF instead of faulting.
 *
 * A descriptor is "visible" to lar/lsl/verr/verw when it lies within its
 * table, has a type the instruction accepts, and — unless it is conforming
 * code — DPL >= CPL and DPL >= RPL. Otherwise ZF=0 and the destination keeps
 * its old value.
 *
 * Argument conventions (src/lift/system.ts): lar/lsl a=selector b=destination
 * register number c=operand size — the VMM writes the register (low 16 bits
 * only for size 2) and ZF; verr/verw a=selector; arpl (normally lifted
 * inline) a=destination selector b=source selector → result.
 */
import { VmmResult } from '../vmm-interface/interface.js';
import {
  codeConforming, codeReadable, dataWritable, descDpl, descIsCode, descIsCodeData, descIsData, descLimit,
  descType, fetchDescriptor, type Descriptor,
} from './descriptors.js';
import { setZf } from './lazy-flags.js';
import type { MonitorCore } from './monitor-core.js';

/** System types lar accepts: TSS (16/32, available/busy), LDT, call gates, task gate. */
const LAR_SYSTEM_TYPES = new Set([1, 2, 3, 4, 5, 9, 11, 12]);
/** System types lsl accepts: the ones with a limit. */
const LSL_SYSTEM_TYPES = new Set([1, 2, 3, 9, 11]);

function visible(m: MonitorCore, selector: number, systemTypes: ReadonlySet<number>): Descriptor | null {
  if ((selector & 0xfffc) === 0) return null;
  const d = fetchDescriptor(m, selector);
  if (d === null) return null;
  if (!descIsCodeData(d.hi) && !systemTypes.has(descType(d.hi))) return null;
  if (!(descIsCode(d.hi) && codeConforming(d.hi))) {
    const dpl = descDpl(d.hi);
    if (dpl < m.cpu.cpl || dpl < (selector & 3)) return null;
  }
  return d;
}

function writeDest(m: MonitorCore, reg: number, opSize: number, v: number): void {
  const r = m.cpu.regs;
  r[reg & 7] = opSize === 2 ? (r[reg & 7]! & ~0xffff) | (v & 0xffff) : v | 0;
}

export function lar(m: MonitorCore, selector: number, reg: number, opSize: number): VmmResult {
  const d = visible(m, selector & 0xffff, LAR_SYSTEM_TYPES);
  setZf(m.cpu, d !== null);
  if (d !== null) writeDest(m, reg, opSize, d.hi & 0x00f0ff00);
  return VmmResult.Continue;
}

export function lsl(m: MonitorCore, selector: number, reg: number, opSize: number): VmmResult {
  const d = visible(m, selector & 0xffff, LSL_SYSTEM_TYPES);
  setZf(m.cpu, d !== null);
  if (d !== null) writeDest(m, reg, opSize, descLimit(d.lo, d.hi));
  return VmmResult.Continue;
}

export function verr(m: MonitorCore, selector: number): VmmResult {
  const d = visible(m, selector & 0xffff, new Set());
  setZf(m.cpu, d !== null && (descIsData(d.hi) || codeReadable(d.hi)));
  return VmmResult.Continue;
}

export function verw(m: MonitorCore, selector: number): VmmResult {
  const d = visible(m, selector & 0xffff, new Set());
  setZf(m.cpu, d !== null && descIsData(d.hi) && dataWritable(d.hi));
  return VmmResult.Continue;
}

export function arpl(m: MonitorCore, dest: number, src: number): number {
  const adjust = (dest & 3) < (src & 3);
  setZf(m.cpu, adjust);
  return adjust ? (dest & ~3) | (src & 3) : dest;
}
