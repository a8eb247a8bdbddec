/**
 * Delivery of exceptions and interrupts through the IDT (protected mode).
 *
 * One routine, deliver(), does what the SDM's INT pseudo-code does for
 * interrupt and trap gates: gate checks, the target code segment's checks, a
 * stack switch through the TSS when the handler is more privileged
 * (ring 3 → ring 0), the frame push (SS, ESP,) EFLAGS, CS, EIP (, error code),
 * and the EFLAGS changes (TF, NT, RF, VM cleared; IF too for interrupt
 * gates). Three entry points wrap it:
 *
 *   deliverException  a fault or trap raised by an instruction; a fault during
 *                     its delivery becomes a double fault or a serial
 *                     exception per the SDM's Table 6-5, and a fault while
 *                     delivering #DF is a triple fault, which ends the run the
 *                     way QEMU -no-reboot does.
 *   deliverSoftware   int n / int3 / into: the gate's DPL must admit the CPL.
 *   deliverExternal   a PIC interrupt taken between instructions.
 *
 * A task gate switches tasks instead (task-switch.ts, as Linux's #DF
 * handler needs): the old task's state goes to its TSS, the new task runs
 * with NT set and the old TR in its back link, and an exception's error code
 * is pushed on the new task's stack.
 */
import { SEG_CS, SEG_SS } from '../state/state.js';
import {
  DescriptorSlot, codeConforming, descDpl, descIsCode, descLimit, descPresent,
  loadSegmentCache, markAccessed, readDescriptor, readTableEntry, stackSize,
} from './descriptors.js';
import { GuestFault, UnsupportedGuestFeature, VECTOR_NAMES, Vector, gp, np } from './fault.js';
import { IF, NT, RF, TF, VM, readEflags } from './lazy-flags.js';
import type { MonitorCore } from './monitor-core.js';
import { FRAME, currentStack, pushFrame, setStackPointer } from './stack.js';
import { NewTaskFault, TaskSwitchReason, checkTssDescriptor, switchTask, tssDescriptorOr } from './task-switch.js';
import { innerStack } from './tss.js';
import { formatCpuDump } from './cpu-dump.js';

export const enum EventKind {
  /** Raised by an instruction (or by the delivery of another event). */
  Exception = 0,
  /** int n, int3, into. */
  Software = 1,
  /** An interrupt from the PIC. */
  External = 2,
}

const ESP = 4;

/** Each delivery reads the gate, then its code segment; one slot each keeps delivery free of allocation. */
const GATE = new DescriptorSlot();
const CODE = new DescriptorSlot();
/** The inner stack segment a privilege change pushes to. */

/** Delivers one event; throws GuestFault if the delivery itself faults (nothing changed then). */
export function deliver(m: MonitorCore, vector: number, errorCode: number, returnEip: number, kind: EventKind): void {
  const cpu = m.cpu;
  const ext = kind === EventKind.Software ? 0 : 1;
  const idtError = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > cpu.idtLimit >>> 0) throw gp(idtError);
  readTableEntry(m.mem, (cpu.idtBase + vector * 8) >>> 0, GATE);
  const lo = GATE.lo;
  const hi = GATE.hi;
  const type = (hi >>> 8) & 0x1f;
  let gate32: boolean;
  let trapGate: boolean;
  switch (type) {
    case 0x0e: gate32 = true; trapGate = false; break;
    case 0x0f: gate32 = true; trapGate = true; break;
    case 0x06: gate32 = false; trapGate = false; break;
    case 0x07: gate32 = false; trapGate = true; break;
    case 0x05:
      if (kind === EventKind.Software && descDpl(hi) < cpu.cpl) throw gp(vector * 8 + 2);
      if (!descPresent(hi)) throw np(idtError);
      throughTaskGate(m, lo >>> 16, errorCode, returnEip, ext);
      return;
    default:
      throw gp(idtError);
  }
  if (kind === EventKind.Software && descDpl(hi) < cpu.cpl) throw gp(vector * 8 + 2);
  if (!descPresent(hi)) throw np(idtError);

  const selector = lo >>> 16;
  let offset = ((lo & 0xffff) | (hi & 0xffff0000)) >>> 0;
  if (!gate32) offset &= 0xffff;
  if ((selector & 0xfffc) === 0) throw gp(ext);
  const code = CODE;
  if (!readDescriptor(m, selector, code) || !descIsCode(code.hi) || descDpl(code.hi) > cpu.cpl) {
    throw gp((selector & 0xfffc) | ext);
  }
  if (!descPresent(code.hi)) throw np((selector & 0xfffc) | ext);
  if (offset > descLimit(code.lo, code.hi)) throw gp(ext);

  const dpl = descDpl(code.hi);
  const eflags = readEflags(cpu);
  if ((eflags & VM) !== 0) throw new UnsupportedGuestFeature('virtual-8086 mode', cpu.eip);
  const width = gate32 ? 4 : 2;
  const frame = FRAME;
  let n = 0;
  let newCpl = cpu.cpl;
  if (!codeConforming(code.hi) && dpl < cpu.cpl) {
    const inner = innerStack(m, dpl, ext);
    const desc = inner.desc, seg = inner.seg, big = inner.big;
    frame[n++] = cpu.segSel[SEG_SS]!;
    frame[n++] = cpu.regs[ESP]!;
    frame[n++] = eflags;
    frame[n++] = cpu.segSel[SEG_CS]!;
    frame[n++] = returnEip;
    if (errorCode >= 0) frame[n++] = errorCode;
    // Pushes onto the inner stack are supervisor accesses (SDM Vol. 3A, 4.6).
    const mem = m.mem;
    const was = mem.implicitSupervisor;
    mem.implicitSupervisor = true;
    let sp: number;
    try {
      sp = pushFrame(m, seg, inner.esp, big, frame, n, width, (inner.ss & 0xfffc) | ext);
    } finally {
      mem.implicitSupervisor = was;
    }
    markAccessed(m, desc);
    loadSegmentCache(cpu, SEG_SS, inner.ss, desc.lo, desc.hi);
    setStackPointer(cpu, sp, big);
    newCpl = dpl;
  } else {
    frame[n++] = eflags;
    frame[n++] = cpu.segSel[SEG_CS]!;
    frame[n++] = returnEip;
    if (errorCode >= 0) frame[n++] = errorCode;
    const big = stackSize(cpu) === 4;
    const sp = pushFrame(m, currentStack(cpu), cpu.regs[ESP]!, big, frame, n, width, ext);
    setStackPointer(cpu, sp, big);
  }
  markAccessed(m, code);
  loadSegmentCache(cpu, SEG_CS, (selector & 0xfffc) | newCpl, code.lo, code.hi);
  cpu.cpl = newCpl;
  cpu.eip = offset;
  cpu.eflagsSys &= ~(TF | NT | RF | VM | (trapGate ? 0 : IF));
  m.cpu.halted = false;
}

/** The TSS descriptor an IDT task gate names. */
const GATE_TSS = new DescriptorSlot();

/**
 * SDM INT "TASK-GATE": the TSS selector must name an available, present TSS
 * in the GDT (#GP/#NP with EXT, faults of the event's delivery); then the
 * switch, and the error code pushed on the new task's stack. Faults after
 * the commit point are the new task's: delivered here as fresh exceptions.
 */
function throughTaskGate(m: MonitorCore, tssSel: number, errorCode: number, returnEip: number, ext: number): void {
  const d = tssDescriptorOr(m, tssSel, GATE_TSS, gp, ext);
  checkTssDescriptor(m, tssSel, d, TaskSwitchReason.Event, ext);
  let switched = false;
  try {
    switchTask(m, tssSel, d, TaskSwitchReason.Event, returnEip);
    switched = true;
    if (errorCode >= 0) {
      const cpu = m.cpu;
      const big = stackSize(cpu) === 4;
      FRAME[0] = errorCode;
      setStackPointer(cpu, pushFrame(m, currentStack(cpu), cpu.regs[ESP]!, big, FRAME, 1, 4, ext), big);
    }
  } catch (f) {
    if (!(f instanceof NewTaskFault || (switched && f instanceof GuestFault))) throw f;
    deliverException(m, f.vector, f.errorCode);
  }
  m.cpu.halted = false;
}

const contributory = (v: number): boolean => v === 0 || (v >= 10 && v <= 13);

/** SDM Table 6-5: does `second`, raised while delivering `first`, make a double fault? */
function makesDoubleFault(first: number, second: number): boolean {
  if (contributory(first)) return contributory(second);
  if (first === Vector.PF) return second === Vector.PF || contributory(second);
  return false;
}

function logEvent(m: MonitorCore, vector: number, errorCode: number, kind: EventKind): void {
  if (m.log === null) return;
  const cpu = m.cpu;
  const hex = (v: number, n: number) => (v >>> 0).toString(16).padStart(n, '0');
  m.log(
    'int',
    `${String(m.eventCount).padStart(6)}: v=${hex(vector, 2)} e=${hex(errorCode < 0 ? 0 : errorCode, 4)} ` +
      `i=${kind === EventKind.Software ? 1 : 0} cpl=${cpu.cpl} IP=${hex(cpu.segSel[SEG_CS]!, 4)}:${hex(cpu.eip, 8)} ` +
      `SP=${hex(cpu.segSel[SEG_SS]!, 4)}:${hex(cpu.regs[ESP]!, 8)} ` +
      // QEMU names CR2 for a page fault, EAX for anything else.
      `${vector === Vector.PF && kind === EventKind.Exception ? `CR2=${hex(cpu.cr2, 8)}` : `EAX=${hex(cpu.regs[0]!, 8)}`} ` +
      `${kind === EventKind.External ? 'external' : VECTOR_NAMES[vector] ?? 'int'}\n` +
      formatCpuDump(cpu, { ccop: true, interruptShadow: m.interruptShadowed }).trimEnd(),
  );
  m.eventCount++;
}

/** An exception at the instruction whose state CpuState holds; pushes `returnEip` (cpu.eip for faults). */
export function deliverException(m: MonitorCore, vector: number, errorCode: number, returnEip = m.cpu.eip): void {
  let v = vector;
  let e = errorCode;
  // The exceptions met on the way, for a triple fault's report: the first may be what went wrong.
  const chain: string[] = [];
  for (let depth = 0; ; depth++) {
    chain.push(`${VECTOR_NAMES[v] ?? `vector ${v}`}${e >= 0 ? `(0x${e.toString(16)})` : ''}`);
    logEvent(m, v, e, EventKind.Exception);
    try {
      deliver(m, v, e, returnEip, EventKind.Exception);
      m.stats.exceptions++;
      m.stats.exceptionsByVector[v & 0xff]++;
      return;
    } catch (f) {
      if (!(f instanceof GuestFault)) throw f;
      if (v === Vector.DF || depth > 8) {
        m.requestEnd({
          kind: 'triple-fault',
          detail: `${f.message} while delivering ${VECTOR_NAMES[v] ?? v} at eip=0x${(m.cpu.eip >>> 0).toString(16)}` +
            ` (exceptions: ${chain.join(' -> ')} -> ${f.message})`,
        });
        return;
      }
      if (makesDoubleFault(v, f.vector)) {
        v = Vector.DF;
        e = 0;
      } else {
        v = f.vector;
        e = f.errorCode;
      }
    }
  }
}

/** int n, int3, into: `nextEip` is the instruction after. A fault in delivery is an exception at the int. */
export function deliverSoftware(m: MonitorCore, vector: number, nextEip: number): void {
  logEvent(m, vector, -1, EventKind.Software);
  try {
    deliver(m, vector, -1, nextEip, EventKind.Software);
    m.stats.softwareInterrupts++;
    m.stats.softwareByVector[vector & 0xff]++;
  } catch (f) {
    if (!(f instanceof GuestFault)) throw f;
    deliverException(m, f.vector, f.errorCode);
  }
}

/** A hardware interrupt between instructions: cpu.eip is where the guest resumes after the handler. */
export function deliverExternal(m: MonitorCore, vector: number): void {
  logEvent(m, vector, -1, EventKind.External);
  try {
    deliver(m, vector, -1, m.cpu.eip, EventKind.External);
    m.stats.externalInterrupts++;
    m.stats.externalByVector[vector & 0xff]++;
  } catch (f) {
    if (!(f instanceof GuestFault)) throw f;
    deliverException(m, f.vector, f.errorCode);
  }
}
