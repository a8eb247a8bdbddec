/**
 * Segment register loads (mov sreg, pop sreg, lds/les/lfs/lgs/lss) in
 * protected mode, with the checks and error codes of the SDM's MOV/POP
 * pseudo-code:
 *
 *   SS  null → #GP(0); RPL ≠ CPL, DPL ≠ CPL, or not a writable data segment
 *       → #GP(sel); not present → #SS(sel).
 *   DS ES FS GS  null → the register becomes unusable (no fault until used);
 *       not data or readable code → #GP(sel); data or non-conforming code
 *       with RPL > DPL or CPL > DPL → #GP(sel); not present → #NP(sel).
 *   Any selector beyond its table's limit → #GP(sel).
 *
 * Loading SS blocks interrupts for one instruction (so mov ss; mov esp is
 * atomic). The routine continues the translated code: for pop SS, lss and
 * lds/les/lfs/lgs the lifter ends the block with `dispatch next` after the
 * segment load, so the instruction finishes first (pop ss's ESP increment,
 * the far-pointer loads' offset register — leaving here would lose them)
 * and the dispatcher then recomputes the mode word, with the segment access
 * classes and limit windows of src/state/segment-access.ts. mov to DS/ES/FS/GS
 * and pop DS/ES/FS/GS instead let this routine finish the instruction (the
 * pop's stack release is passed in), so the block goes on, and the routine
 * leaves at the next instruction only when the mode word changed: a kernel's
 * return path popping four data segments no longer makes four trips through
 * the dispatcher.
 *
 * Argument convention: loadSeg a=segment register number (ES CS SS DS FS GS =
 * 0..5), b=selector, c=LOAD_MAY_LEAVE | (bytes to pop on success << 8), or
 * 0 when the block ends after the call anyway.
 */
import { SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS, type CpuState } from '../state/state.js';
import { modeOf } from '../state/mode.js';
import { LOAD_MAY_LEAVE, VmmResult } from '../vmm-interface/interface.js';
import { SEG_CHECK_ATTR_MASK } from '../state/segment-access.js';
import {
  ATTR_ACCESSED, ATTR_MASK, DescriptorSlot, codeConforming, codeReadable, dataWritable, descBase, descDpl, descIsCode,
  descIsData, descLimit, descPresent, loadNullSegment, loadSegmentCache, markAccessed, readDescriptorOrGp,
  type Descriptor,
} from './descriptors.js';
import { gp, np, ss, ud } from './fault.js';
import { release } from './stack.js';
import type { MonitorCore } from './monitor-core.js';

/** The descriptor of the segment being loaded (one slot: a load reads one descriptor). */
const LOADED = new DescriptorSlot();

/**
 * The checks for loading `selector` into data segment register `seg`
 * (not CS, not SS). Returns false for a null selector; else reads the
 * descriptor into LOADED and returns true. Changes nothing.
 */
function checkDataSegment(m: MonitorCore, selector: number): boolean {
  if ((selector & 0xfffc) === 0) return false;
  const d = readDescriptorOrGp(m, selector, LOADED);
  const readable = descIsData(d.hi) || (descIsCode(d.hi) && codeReadable(d.hi));
  if (!readable) throw gp(selector & 0xfffc);
  if (descIsData(d.hi) || !codeConforming(d.hi)) {
    const dpl = descDpl(d.hi);
    if ((selector & 3) > dpl || m.cpu.cpl > dpl) throw gp(selector & 0xfffc);
  }
  if (!descPresent(d.hi)) throw np(selector & 0xfffc);
  return true;
}

/** Loads data segment register `seg` after checkDataSegment passed (`present`: its answer). */
function commitDataSegment(m: MonitorCore, seg: number, selector: number, present: boolean): boolean {
  if (!present) return loadNullSegment(m.cpu, seg, selector);
  markAccessed(m, LOADED);
  return loadSegmentCache(m.cpu, seg, selector, LOADED.lo, LOADED.hi);
}

/** Checks and loads a data segment register (not CS, not SS); returns true if base, limit or D/B changed. */
export function loadDataSegment(m: MonitorCore, seg: number, selector: number): boolean {
  selector &= 0xffff;
  return commitDataSegment(m, seg, selector, checkDataSegment(m, selector));
}

/**
 * Whether loading what checkDataSegment found (`present`: its answer) into
 * data segment register `seg` leaves everything the mode word reads of that
 * register as it is: base, limit and the access-rights bits the segment's
 * access class depends on (mode.ts, segment-access.ts). A kernel entry
 * reloading DS with the kernel's flat segment over the user's differs only
 * in DPL, and then neither the mode word nor a window needs recomputing.
 */
function modeInputsUnchanged(cpu: CpuState, seg: number, present: boolean): boolean {
  const attr = present ? (LOADED.hi & ATTR_MASK) | ATTR_ACCESSED : 0;
  if (((cpu.segAttr[seg]! ^ attr) & SEG_CHECK_ATTR_MASK) !== 0) return false;
  if (!present) return true; // a null load keeps base and limit
  return cpu.segBase[seg] === (descBase(LOADED.lo, LOADED.hi) | 0) &&
    (cpu.segLimit[seg]! | 0) === (descLimit(LOADED.lo, LOADED.hi) | 0);
}

/**
 * The checks for loading `selector` into SS at privilege level `cpl`; reads
 * its descriptor into `into` and returns it. Changes nothing else.
 */
export function checkStackSegment(m: MonitorCore, selector: number, cpl: number, into: DescriptorSlot): Descriptor {
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) throw gp(0);
  const d = readDescriptorOrGp(m, selector, into);
  if ((selector & 3) !== cpl || descDpl(d.hi) !== cpl || !descIsData(d.hi) || !dataWritable(d.hi)) {
    throw gp(selector & 0xfffc);
  }
  if (!descPresent(d.hi)) throw ss(selector & 0xfffc);
  return d;
}

/** Checks and loads SS for privilege level `cpl`; returns true if the mode changed. */
export function loadStackSegment(m: MonitorCore, selector: number, cpl: number): boolean {
  const d = checkStackSegment(m, selector, cpl, LOADED);
  markAccessed(m, d);
  return loadSegmentCache(m.cpu, SEG_SS, selector & 0xffff, d.lo, d.hi);
}

export function loadSeg(m: MonitorCore, next: number, seg: number, selector: number, flags = 0): VmmResult {
  if (seg === SEG_CS || seg > SEG_GS) throw ud();
  if (seg === SEG_SS) {
    loadStackSegment(m, selector, m.cpu.cpl);
    m.shadowEip = next;
    return VmmResult.Continue;
  }
  selector &= 0xffff;
  const present = checkDataSegment(m, selector);
  // The running translation assumed the old segment classes: when they may have changed, compare mode words.
  const cpu = m.cpu;
  const unchanged = modeInputsUnchanged(cpu, seg, present);
  const mayLeave = (flags & LOAD_MAY_LEAVE) !== 0 && !unchanged;
  const before = mayLeave ? modeOf(cpu) : 0;
  if (unchanged && present) {
    // Base and limit are what the cache holds already: only the selector and the rights change.
    markAccessed(m, LOADED);
    cpu.segSel[seg] = selector;
    cpu.segAttr[seg] = (LOADED.hi & ATTR_MASK) | ATTR_ACCESSED;
  } else {
    commitDataSegment(m, seg, selector, present);
  }
  // pop sreg: the stack slot is released only once the load succeeded (a faulting pop leaves ESP alone).
  if (flags >>> 8 !== 0) release(cpu, flags >>> 8);
  if (mayLeave && modeOf(cpu) !== before) {
    // Finish here (the load ended the instruction) and let the dispatcher pick a translation for the new mode.
    cpu.eip = next;
    return VmmResult.Leave;
  }
  return VmmResult.Continue;
}

const DATA_SEGMENTS = [SEG_ES, SEG_DS, SEG_FS, SEG_GS] as const;

/**
 * After a return to an outer (less privileged) level: data segment
 * registers the new CPL may not use become null, so ring 3 cannot keep a
 * ring-0 data segment loaded (SDM RET/IRET pseudo-code).
 */
export function nullInaccessibleSegments(cpu: CpuState): void {
  for (const seg of DATA_SEGMENTS) {
    const attr = cpu.segAttr[seg]!;
    const dpl = (attr >>> 13) & 3;
    const conformingCode = (attr & 0x1c00) === 0x1c00;
    if ((attr & 0x8000) !== 0 && !conformingCode && dpl < cpu.cpl) {
      cpu.segSel[seg] = 0;
      cpu.segAttr[seg] = 0;
    }
  }
}
