/**
 * Hardware task switching (Intel SDM Vol. 3A, chapter 7): far jmp/call to a
 * TSS descriptor or a task gate, an interrupt or exception through an IDT
 * task gate, and iret with NT=1 back to the task in the back link.
 *
 * far-transfers.ts and exceptions.ts find the TSS descriptor and call
 * checkTssDescriptor (the checks before anything changes, whose faults belong
 * to the old task), then switchTask, which follows the SDM's order:
 *
 *   1. read the new TSS (a #PF here still leaves the old task as it was);
 *   2. save the old task's EIP (the return point), general registers,
 *      segment selectors and EFLAGS (NT cleared in the saved copy on iret)
 *      into the old TSS; clear the old descriptor's busy bit (jmp, iret);
 *   3. call and events: write the old TR selector into the new TSS's back
 *      link and set NT in the new EFLAGS; set the new descriptor's busy bit
 *      (all but iret, whose target is busy already); load TR; set CR0.TS —
 *      the commit point;
 *   4. load CR3 (with paging on; through the MMU's CR3 path, as mov cr3),
 *      EFLAGS, EIP, the general registers, then LDTR and the segment
 *      registers with their checks. Faults from here on are raised in the
 *      new task's context (NewTaskFault: the callers deliver it as a fresh
 *      exception at the new task's first instruction, never as a fault in
 *      the delivery that caused the switch); the TSS's T bit raises #DB the
 *      same way.
 *
 * The I/O permission bitmap is read through TR by io.ts, so the new task's
 * bitmap is in effect as soon as TR is loaded. Only 32-bit TSSs are
 * modelled: a switch to or from a 16-bit TSS ends the run as unsupported.
 * Callers return VmmResult.Leave, so the dispatcher recomputes the mode word.
 */
import { SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../state/state.js';
import {
  DescriptorSlot, codeConforming, codeReadable, dataWritable, descBase, descDpl, descIsCode, descIsCodeData, descIsData,
  descLimit, descPresent, descType, loadNullSegment, loadSegmentCache, markAccessed, readDescriptor, readTableEntry,
  type Descriptor,
} from './descriptors.js';
import { GuestFault, UnsupportedGuestFeature, Vector, gp, np, ts } from './fault.js';
import { NT, readEflags, writeEflags } from './lazy-flags.js';
import { readSupervisor, writeSupervisor } from './linear-memory.js';
import type { MonitorCore } from './monitor-core.js';

export const enum TaskSwitchReason {
  Jmp = 0,
  Call = 1,
  Iret = 2,
  /** An interrupt or exception through an IDT task gate (nests like call). */
  Event = 3,
}

/** A fault raised after the commit point: it belongs to the new task and is delivered as a fresh exception. */
export class NewTaskFault extends GuestFault {}

const TSS32_MIN_LIMIT = 0x67;
const CR0_TS = 1 << 3, CR0_PG = 1 << 31;
const DR6_BT = 1 << 15;
/** 32-bit TSS offsets. */
const LINK = 0x00, CR3 = 0x1c, EIP = 0x20, EFLAGS = 0x24, EAX = 0x28, SEL = 0x48, LDT = 0x60, TRAP = 0x64;
/** The TSS's segment selectors are stored in segment-register order ES CS SS DS FS GS (SEL + 4 * n). */
const DATA_SEGMENTS = [SEG_ES, SEG_DS, SEG_FS, SEG_GS] as const;

const is32BitTss = (type: number): boolean => (type | 2) === 11;
/** Types 1, 3, 9, 11: a 16- or 32-bit TSS, available or busy. */
const isTss = (type: number): boolean => (type & 5) === 1;
const isBusy = (type: number): boolean => (type & 2) !== 0;

/**
 * The TSS descriptor checks before the switch, in the SDM's order (Table 7-1
 * and the JMP/CALL/INT/IRET pseudo-code): a TSS descriptor in the GDT (else
 * #GP, or #TS for iret), available (busy for iret), present (#NP), limit at
 * least 0x67 (#TS). `d` is the descriptor `selector` names; `ext` the EXT bit.
 */
export function checkTssDescriptor(m: MonitorCore, selector: number, d: Descriptor, reason: TaskSwitchReason, ext: number): void {
  const code = (selector & 0xfffc) | ext;
  const type = descType(d.hi);
  const wrong = (selector & 4) !== 0 || descIsCodeData(d.hi) || !isTss(type);
  if (reason === TaskSwitchReason.Iret) {
    if (wrong || !isBusy(type)) throw ts(code);
  } else if (wrong || isBusy(type)) {
    throw gp(code);
  }
  if (!descPresent(d.hi)) throw np(code);
  if (!is32BitTss(type)) throw new UnsupportedGuestFeature('task switch to a 16-bit TSS', m.cpu.eip);
  if (descLimit(d.lo, d.hi) < TSS32_MIN_LIMIT) throw ts(code);
}

/** Reads the GDT descriptor `selector` names for a task switch; false if the selector is local or beyond the GDT. */
export function readTssDescriptor(m: MonitorCore, selector: number, into: DescriptorSlot): boolean {
  if ((selector & 4) !== 0 || (selector & 0xfff8) + 7 > m.cpu.gdtLimit >>> 0) return false;
  readTableEntry(m.mem, (m.cpu.gdtBase + (selector & 0xfff8)) >>> 0, into);
  return true;
}

/** The new TSS's first 0x68 bytes as dwords (NEW[offset / 4]). */
const NEW = new Int32Array(26);
const OLD_DESC = new DescriptorSlot();
const SEG = new DescriptorSlot();

/**
 * Switches to the task whose (checked) TSS descriptor `d` selector names.
 * `returnEip` is what the old task resumes at. Throws GuestFault before the
 * commit point (nothing changed) and NewTaskFault after it.
 */
export function switchTask(m: MonitorCore, selector: number, d: Descriptor, reason: TaskSwitchReason, returnEip: number): void {
  const cpu = m.cpu;
  const mem = m.mem;
  selector &= 0xffff;
  if (!is32BitTss((cpu.trAttr >>> 8) & 0xf)) throw new UnsupportedGuestFeature('task switch from a 16-bit TSS', cpu.eip);
  const oldBase = cpu.trBase >>> 0;
  if (cpu.trLimit >>> 0 < SEL + 4 * 6 - 1) throw ts(cpu.trSel & 0xfffc);
  const newBase = descBase(d.lo, d.hi);
  for (let i = 0; i < NEW.length; i++) NEW[i] = readSupervisor(mem, (newBase + 4 * i) >>> 0, 4);

  // Save the old task.
  let oldFlags = readEflags(cpu);
  if (reason === TaskSwitchReason.Iret) oldFlags &= ~NT;
  writeSupervisor(mem, oldBase + EIP, 4, returnEip);
  writeSupervisor(mem, oldBase + EFLAGS, 4, oldFlags);
  for (let r = 0; r < 8; r++) writeSupervisor(mem, oldBase + EAX + 4 * r, 4, cpu.regs[r]!);
  for (let s = 0; s < 6; s++) writeSupervisor(mem, oldBase + SEL + 4 * s, 4, cpu.segSel[s]! & 0xffff);
  if ((reason === TaskSwitchReason.Jmp || reason === TaskSwitchReason.Iret) && readTssDescriptor(m, cpu.trSel, OLD_DESC)) {
    writeSupervisor(mem, OLD_DESC.address + 5, 1, (OLD_DESC.hi >>> 8) & ~2 & 0xff);
  }
  let newFlags = NEW[EFLAGS / 4]!;
  if (reason === TaskSwitchReason.Call || reason === TaskSwitchReason.Event) {
    writeSupervisor(mem, newBase + LINK, 2, cpu.trSel);
    newFlags |= NT;
  }
  if (reason !== TaskSwitchReason.Iret) writeSupervisor(mem, d.address + 5, 1, ((d.hi >>> 8) | 2) & 0xff);
  cpu.trSel = selector;
  cpu.trBase = newBase | 0;
  cpu.trLimit = descLimit(d.lo, d.hi);
  cpu.trAttr = (d.hi | 0x200) & 0x00f0ff00;
  cpu.cr0 |= CR0_TS;

  // Commit point passed: load the new task.
  if ((cpu.cr0 & CR0_PG) !== 0) {
    cpu.cr3 = NEW[CR3 / 4]! & 0xfffff018;
    m.mmu?.onCr3Write();
    m.onTlbFlush?.();
  }
  writeEflags(cpu, newFlags);
  cpu.eip = NEW[EIP / 4]! >>> 0;
  for (let r = 0; r < 8; r++) cpu.regs[r] = NEW[EAX / 4 + r]!;
  for (let s = 0; s < 6; s++) {
    cpu.segSel[s] = NEW[SEL / 4 + s]! & 0xffff;
    if (s !== SEG_CS) cpu.segAttr[s] = 0; // unusable until its descriptor is checked below
  }
  cpu.cpl = NEW[SEL / 4 + SEG_CS]! & 3;
  loadTaskSegments(m, NEW[LDT / 4]! & 0xffff);
  if (cpu.eip > cpu.segLimit[SEG_CS]! >>> 0) throw new NewTaskFault(Vector.GP, 0);
  if ((NEW[TRAP / 4]! & 1) !== 0) {
    cpu.dr[6] = cpu.dr[6]! | DR6_BT;
    throw new NewTaskFault(Vector.DB, -1);
  }
}

/** After the commit point: LDTR, CS, SS, then ES DS FS GS from the selectors already in segSel, with the SDM's checks. */
function loadTaskSegments(m: MonitorCore, ldt: number): void {
  const cpu = m.cpu;
  cpu.ldtSel = ldt;
  if ((ldt & 0xfffc) === 0) {
    cpu.ldtBase = 0;
    cpu.ldtLimit = 0;
  } else {
    if (!readTssDescriptor(m, ldt, SEG) || descIsCodeData(SEG.hi) || descType(SEG.hi) !== 2 || !descPresent(SEG.hi)) {
      cpu.ldtBase = 0;
      cpu.ldtLimit = 0;
      throw new NewTaskFault(Vector.TS, ldt & 0xfffc);
    }
    cpu.ldtBase = descBase(SEG.lo, SEG.hi) | 0;
    cpu.ldtLimit = descLimit(SEG.lo, SEG.hi);
  }
  const cpl = cpu.cpl;
  const cs = cpu.segSel[SEG_CS]!;
  if ((cs & 0xfffc) === 0 || !readDescriptor(m, cs, SEG) || !descIsCode(SEG.hi)) throw new NewTaskFault(Vector.TS, cs & 0xfffc);
  const csDpl = descDpl(SEG.hi);
  if (codeConforming(SEG.hi) ? csDpl > cpl : csDpl !== cpl) throw new NewTaskFault(Vector.TS, cs & 0xfffc);
  if (!descPresent(SEG.hi)) throw new NewTaskFault(Vector.NP, cs & 0xfffc);
  markAccessed(m, SEG);
  loadSegmentCache(cpu, SEG_CS, cs, SEG.lo, SEG.hi);

  const ss = cpu.segSel[SEG_SS]!;
  if ((ss & 0xfffc) === 0 || !readDescriptor(m, ss, SEG)) throw new NewTaskFault(Vector.TS, ss & 0xfffc);
  if ((ss & 3) !== cpl || descDpl(SEG.hi) !== cpl || !descIsData(SEG.hi) || !dataWritable(SEG.hi)) {
    throw new NewTaskFault(Vector.TS, ss & 0xfffc);
  }
  if (!descPresent(SEG.hi)) throw new NewTaskFault(Vector.SS, ss & 0xfffc);
  markAccessed(m, SEG);
  loadSegmentCache(cpu, SEG_SS, ss, SEG.lo, SEG.hi);

  for (const seg of DATA_SEGMENTS) {
    const sel = cpu.segSel[seg]!;
    if ((sel & 0xfffc) === 0) {
      loadNullSegment(cpu, seg, sel);
      continue;
    }
    if (!readDescriptor(m, sel, SEG)) throw new NewTaskFault(Vector.TS, sel & 0xfffc);
    const readable = descIsData(SEG.hi) || (descIsCode(SEG.hi) && codeReadable(SEG.hi));
    if (!readable) throw new NewTaskFault(Vector.TS, sel & 0xfffc);
    if (descIsData(SEG.hi) || !codeConforming(SEG.hi)) {
      const dpl = descDpl(SEG.hi);
      if ((sel & 3) > dpl || cpl > dpl) throw new NewTaskFault(Vector.TS, sel & 0xfffc);
    }
    if (!descPresent(SEG.hi)) throw new NewTaskFault(Vector.NP, sel & 0xfffc);
    markAccessed(m, SEG);
    loadSegmentCache(cpu, seg, sel, SEG.lo, SEG.hi);
  }
}

/** The same selector's TSS descriptor read for a task gate or a back link; throws `fault` if it is local or beyond the GDT. */
export function tssDescriptorOr(m: MonitorCore, selector: number, into: DescriptorSlot, fault: (code: number) => GuestFault, ext: number): DescriptorSlot {
  if (!readTssDescriptor(m, selector, into)) throw fault((selector & 0xfffc) | ext);
  return into;
}
