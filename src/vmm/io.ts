/**
 * Port I/O: in, out, ins, outs (with rep) through the PortBus.
 *
 * Protection as the SDM's "I/O privilege level" section says: at CPL <= IOPL
 * every port is allowed; otherwise each byte of the access must be clear in
 * the I/O permission bitmap of the current 32-bit TSS, and a missing TSS, a
 * 16-bit TSS or a bitmap beyond the TSS limit is #GP(0). The check runs once
 * per instruction (once per rep string instruction: the port does not move).
 *
 * Argument conventions (see the table in src/lift/system.ts):
 *   in   a=port b=size → result (zero-extended value)
 *   out  a=port b=value c=size
 *   ins  a=size b=address size (2|4) | rep << 8        — to ES:(E)DI
 *   outs a=size b=address size | rep << 8 c=segment   — from seg:(E)SI
 * String forms update (E)SI/(E)DI and, with rep, (E)CX here; rep with a count
 * of zero does nothing. Each element's memory access is checked against its
 * segment as translated code checks its own (state/segment-access.ts), and the
 * registers are updated element by element, so a fault in the middle of a
 * rep string (segment or page) leaves them counting the elements done, with
 * EIP at the instruction, as the CPU does.
 *
 * A rep string never holds the host: one call moves at most
 * MAX_ELEMENTS_PER_CALL elements and no more than the dispatcher's budget
 * (cpu.budget: what is left of the time slice or before --max-insns), each
 * element counting as one retired instruction. When elements remain it
 * leaves with EIP still at the instruction and ECX/ESI/EDI describing the
 * rest, as an interrupted rep does on hardware, so timers, interrupts,
 * console input and the instruction limit are served in between and the
 * instruction resumes where it stopped. It also stops early when a device
 * ended the run or the host asked the guest to pause (MonitorCore.hostBlocked).
 */
import { readSupervisor } from './linear-memory.js';
import { SEG_ES, type CpuState } from '../state/state.js';
import { VmmResult } from '../vmm-interface/interface.js';
import { gp, GuestFault } from './fault.js';
import { dataAccessFault } from '../state/segment-access.js';
import { DF, iopl } from './lazy-flags.js';
import type { MonitorCore } from './monitor-core.js';
import { tssIs32 } from './tss.js';

const ECX = 1, ESI = 6, EDI = 7;

type Size = 1 | 2 | 4;
const asSize = (n: number): Size => (n === 1 ? 1 : n === 2 ? 2 : 4);

export function checkIoPermission(m: MonitorCore, port: number, size: number): void {
  const cpu = m.cpu;
  if (cpu.cpl <= iopl(cpu)) return;
  if ((cpu.trSel & 0xfffc) === 0 || !tssIs32(cpu.trAttr) || cpu.trLimit >>> 0 < 0x67) throw gp(0);
  const bitmapBase = readSupervisor(m.mem, cpu.trBase + 0x66, 2);
  const at = bitmapBase + (port >>> 3);
  if (at + 1 > cpu.trLimit >>> 0) throw gp(0);
  const bits = readSupervisor(m.mem, cpu.trBase + at, 2);
  const mask = ((1 << size) - 1) << (port & 7);
  if ((bits & mask) !== 0) throw gp(0);
}

export function portIn(m: MonitorCore, port: number, size: number): number {
  port &= 0xffff;
  checkIoPermission(m, port, size);
  return m.bus.read(port, asSize(size)) | 0;
}

export function portOut(m: MonitorCore, next: number, port: number, value: number, size: number): VmmResult {
  port &= 0xffff;
  checkIoPermission(m, port, size);
  m.bus.write(port, asSize(size), value);
  // A device may have asked to stop the machine (isa-debug-exit), the host to
  // pause the guest (its console output is past the bound), or the write (an
  // EOI, an unmask) made an interrupt deliverable: leave at once in each case.
  return m.end === null && !m.hostBlocked && !interruptNowDeliverable(m) ? VmmResult.Continue : leaveAt(m.cpu, next);
}

/** Reads an index register with the address size's width. */
const indexOf = (cpu: CpuState, reg: number, addrSize: number): number =>
  addrSize === 2 ? cpu.regs[reg]! & 0xffff : cpu.regs[reg]! >>> 0;

function setIndex(cpu: CpuState, reg: number, addrSize: number, v: number): void {
  cpu.regs[reg] = addrSize === 2 ? (cpu.regs[reg]! & ~0xffff) | (v & 0xffff) : v | 0;
}

export function ins(m: MonitorCore, next: number, size: number, sizeAndRep: number): VmmResult {
  return stringIo(m, next, size, sizeAndRep, SEG_ES, EDI, true);
}

export function outs(m: MonitorCore, next: number, size: number, sizeAndRep: number, seg: number): VmmResult {
  return stringIo(m, next, size, sizeAndRep, seg & 7, ESI, false);
}

/**
 * Elements one ins/outs call moves at most: enough that a disk sector's
 * `rep insw` finishes in one call, few enough that a PIT tick waits at most
 * a few hundred microseconds behind a long string.
 */
export const MAX_ELEMENTS_PER_CALL = 1024;

/** ins (port → seg:EDI, `toMemory`) or outs (seg:ESI → port), element by element. */
function stringIo(m: MonitorCore, next: number, size: number, sizeAndRep: number, seg: number, indexReg: number,
  toMemory: boolean): VmmResult {
  const cpu = m.cpu;
  const addrSize = sizeAndRep & 0xff;
  const rep = (sizeAndRep >>> 8) & 1;
  const port = cpu.regs[2]! & 0xffff;
  let count = rep ? indexOf(cpu, ECX, addrSize) : 1;
  if (count === 0) return VmmResult.Continue;
  checkIoPermission(m, port, size);
  const s = asSize(size);
  const step = (cpu.eflagsSys & DF) !== 0 ? -s : s;
  const base = cpu.segBase[seg]!;
  let at = indexOf(cpu, indexReg, addrSize);
  const mask = addrSize === 2 ? 0xffff : 0xffffffff;
  // The budget includes this instruction; at least one element always moves, so the guest progresses.
  const allowed = Math.max(1, Math.min(cpu.budget, MAX_ELEMENTS_PER_CALL));
  let done = 0;
  try {
    // A device may end the run (isa-debug-exit) or the host may ask for a pause mid-string: stop there.
    while (count > 0 && done < allowed && m.end === null && (done === 0 || !m.hostBlocked)) {
      const fault = dataAccessFault(cpu, seg, at, s, toMemory);
      if (fault >= 0) throw new GuestFault(fault, 0);
      if (toMemory) m.mem.write((base + at) >>> 0, s, m.bus.read(port, s));
      else m.bus.write(port, s, m.mem.read((base + at) >>> 0, s));
      at = ((at + step) & mask) >>> 0;
      count--;
      done++;
      setIndex(cpu, indexReg, addrSize, at);
      if (rep) setIndex(cpu, ECX, addrSize, count);
    }
  } catch (e) {
    // A segment or page fault part-way: the elements before it retired (the faulting one counts once, as any fault).
    chargeElements(cpu, done);
    throw e;
  }
  if (done === 1 && count === 0 && m.end === null && !m.hostBlocked) return VmmResult.Continue;
  // Several elements, or more to do: leave, the generated code counting this instruction once.
  chargeElements(cpu, done - 1);
  if (count === 0 || m.end !== null) cpu.eip = next;
  return VmmResult.Leave;
}

/** Counts `n` more retired instructions (rep string elements beyond the one the instruction itself counts). */
function chargeElements(cpu: CpuState, n: number): void {
  if (n <= 0) return;
  cpu.icount += n;
  cpu.budget -= n;
}

function interruptNowDeliverable(m: MonitorCore): boolean {
  return (m.cpu.eflagsSys & IF_BIT) !== 0 && m.interruptWaiting();
}

const IF_BIT = 1 << 9;

function leaveAt(cpu: CpuState, next: number): VmmResult {
  cpu.eip = next;
  return VmmResult.Leave;
}
