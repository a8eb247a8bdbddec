/**
 * Far control transfers in protected mode: far jmp, far call, far ret, iret,
 * int n / int3 / into, sysenter and sysexit.
 *
 * jmp and call reach a code segment directly or through a call gate; a call
 * through a gate to a more privileged non-conforming segment switches to the
 * inner stack from the TSS and copies the gate's parameter count of
 * arguments. ret and iret to an outer level pop SS:ESP as well and null data
 * segment registers the outer level may not use. iret applies the EFLAGS
 * rules of the CPL it runs at (IF only if CPL <= IOPL, IOPL only at CPL 0).
 *
 * jmp/call to a TSS descriptor or a task gate and iret with NT=1 are
 * hardware task switches (task-switch.ts). Returns to virtual-8086 mode are
 * not modelled: they end the run with UnsupportedGuestFeature, which names
 * the instruction, rather than continuing wrongly. Every routine checks
 * everything first and changes state last, so a fault leaves the guest
 * exactly as before the instruction (a task switch's faults after its
 * commit point belong to the new task, as the SDM says).
 *
 * Argument conventions: farJmp/farCall a=selector b=offset c=operand size;
 * farRet a=operand size b=bytes to release (ret imm16); iret a=operand
 * size; int a=vector b=1 for int1/icebp; int3, into, sysenter, sysexit: none.
 */
import { SEG_CS, SEG_SS } from '../state/state.js';
import { VmmResult } from '../vmm-interface/interface.js';
import {
  ATTR_DB, DescriptorSlot, codeConforming, descDpl, descIsCode, descIsCodeData, descLimit,
  descPresent, descType, loadSegmentCache, markAccessed, readDescriptorOrGp, stackSize, type Descriptor,
} from './descriptors.js';
import { UnsupportedGuestFeature, gp, np, ts } from './fault.js';
import { readSupervisor } from './linear-memory.js';
import { TaskSwitchReason, checkTssDescriptor, switchTask, tssDescriptorOr } from './task-switch.js';
import { deliverException, deliverSoftware } from './exceptions.js';
import {
  AC, AF, CF, DF, ID, IF, IOPL_MASK, NT, OF, PF, RF, SF, TF, VIF, VIP, VM, ZF, arithFlags, iopl, readEflags, writeEflags,
} from './lazy-flags.js';
import type { MonitorCore } from './monitor-core.js';
import { checkStackSegment, nullInaccessibleSegments } from './segments.js';
import {
  FRAME, POPPED, currentStack, peekInto, pushFrame, release, setStackPointer,
} from './stack.js';
import { innerStack } from './tss.js';

const ECX = 1, EDX = 2, ESP = 4;

/** The TSS descriptor a task gate names (read for jmp/call through it). */
const GATE_TSS = new DescriptorSlot();

/**
 * jmp/call to a TSS descriptor or through a task gate (SDM JMP/CALL
 * "task-gate" and "task-state segment" paths): the DPL of what the selector
 * names must admit CPL and RPL, a gate must be present, then the TSS checks
 * and the switch. `next` is where the old task resumes.
 */
function toTask(m: MonitorCore, selector: number, d: Descriptor, reason: TaskSwitchReason, next: number): VmmResult {
  const dpl = descDpl(d.hi);
  if (dpl < m.cpu.cpl || dpl < (selector & 3)) throw gp(selector & 0xfffc);
  let tssSel = selector;
  let tss: Descriptor = d;
  if (descType(d.hi) === TASK_GATE) {
    if (!descPresent(d.hi)) throw np(selector & 0xfffc);
    tssSel = d.lo >>> 16;
    tss = tssDescriptorOr(m, tssSel, GATE_TSS, gp, 0);
  }
  checkTssDescriptor(m, tssSel, tss, reason, 0);
  switchTask(m, tssSel, tss, reason, next);
  return VmmResult.Leave;
}

const TASK_GATE = 5;
/** System types a far jmp/call switches tasks through: task gate, TSS (16/32-bit, available or busy: the busy ones fault in the TSS checks). */
const isTaskTarget = (type: number): boolean => type === TASK_GATE || (type & 5) === 1;

/** Privilege checks for jmp/call straight to a code segment (not through a gate). */
function checkDirectCode(m: MonitorCore, selector: number, d: Descriptor): void {
  const cpl = m.cpu.cpl;
  if (!descIsCode(d.hi)) throw gp(selector & 0xfffc);
  const dpl = descDpl(d.hi);
  if (codeConforming(d.hi) ? dpl > cpl : (selector & 3) > cpl || dpl !== cpl) throw gp(selector & 0xfffc);
  if (!descPresent(d.hi)) throw np(selector & 0xfffc);
}

/**
 * Descriptor slots, one per role, so far transfers allocate nothing: the
 * selector's own descriptor (code segment or call gate), the code segment
 * a gate or a return leads to (the outer SS of a return is in OUTER).
 */
const TARGET = new DescriptorSlot();
const CODE = new DescriptorSlot();
/** The inner stack segment a call through a gate pushes to. */

/** What throughCallGate found (its code descriptor is in CODE); one shared object. */
const GATE_TARGET = { codeSelector: 0, offset: 0, gate32: false, params: 0 };

/** A call gate's checks and its target code segment's (SDM CALL/JMP "call gate" paths); the code descriptor lands in CODE. */
function throughCallGate(m: MonitorCore, selector: number, gate: Descriptor): typeof GATE_TARGET {
  const cpl = m.cpu.cpl;
  const gdpl = descDpl(gate.hi);
  if (gdpl < cpl || gdpl < (selector & 3)) throw gp(selector & 0xfffc);
  if (!descPresent(gate.hi)) throw np(selector & 0xfffc);
  const gate32 = descType(gate.hi) === 12;
  const codeSelector = gate.lo >>> 16;
  let offset = ((gate.lo & 0xffff) | (gate.hi & 0xffff0000)) >>> 0;
  if (!gate32) offset &= 0xffff;
  if ((codeSelector & 0xfffc) === 0) throw gp(0);
  const code = readDescriptorOrGp(m, codeSelector, CODE);
  if (!descIsCode(code.hi) || descDpl(code.hi) > cpl) throw gp(codeSelector & 0xfffc);
  if (!descPresent(code.hi)) throw np(codeSelector & 0xfffc);
  if (offset > descLimit(code.lo, code.hi)) throw gp(0);
  const t = GATE_TARGET;
  t.codeSelector = codeSelector;
  t.offset = offset;
  t.gate32 = gate32;
  t.params = gate.hi & 0x1f;
  return t;
}

function enterCode(m: MonitorCore, selector: number, d: Descriptor, offset: number, cpl: number): void {
  markAccessed(m, d);
  loadSegmentCache(m.cpu, SEG_CS, (selector & 0xfffc) | cpl, d.lo, d.hi);
  m.cpu.cpl = cpl;
  m.cpu.eip = offset;
}

/** Pushes CS and `next` (the return address) on the current stack and commits ESP. */
function pushReturnAddress(m: MonitorCore, next: number, width: 2 | 4): void {
  const cpu = m.cpu;
  const big = stackSize(cpu) === 4;
  FRAME[0] = cpu.segSel[SEG_CS]!;
  FRAME[1] = next;
  const sp = pushFrame(m, currentStack(cpu), cpu.regs[ESP]!, big, FRAME, 2, width, 0);
  setStackPointer(cpu, sp, big);
}

export function farJmp(m: MonitorCore, next: number, selector: number, offset: number, opSize: number): VmmResult {
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) throw gp(0);
  const d = readDescriptorOrGp(m, selector, TARGET);
  if (descIsCodeData(d.hi)) {
    checkDirectCode(m, selector, d);
    const off = opSize === 2 ? offset & 0xffff : offset >>> 0;
    if (off > descLimit(d.lo, d.hi)) throw gp(0);
    enterCode(m, selector, d, off, m.cpu.cpl);
    return VmmResult.Leave;
  }
  const type = descType(d.hi);
  if (type === 4 || type === 12) {
    const t = throughCallGate(m, selector, d);
    const dpl = descDpl(CODE.hi);
    // jmp never changes privilege: a non-conforming target must be at CPL.
    if (!codeConforming(CODE.hi) && dpl !== m.cpu.cpl) throw gp(t.codeSelector & 0xfffc);
    enterCode(m, t.codeSelector, CODE, t.offset, m.cpu.cpl);
    return VmmResult.Leave;
  }
  if (isTaskTarget(type)) return toTask(m, selector, d, TaskSwitchReason.Jmp, next);
  throw gp(selector & 0xfffc);
}

export function farCall(m: MonitorCore, next: number, selector: number, offset: number, opSize: number): VmmResult {
  const cpu = m.cpu;
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) throw gp(0);
  const d = readDescriptorOrGp(m, selector, TARGET);
  const width = opSize === 2 ? 2 : 4;
  if (descIsCodeData(d.hi)) {
    checkDirectCode(m, selector, d);
    const off = opSize === 2 ? offset & 0xffff : offset >>> 0;
    if (off > descLimit(d.lo, d.hi)) throw gp(0);
    pushReturnAddress(m, next, width);
    enterCode(m, selector, d, off, cpu.cpl);
    return VmmResult.Leave;
  }
  const type = descType(d.hi);
  if (isTaskTarget(type)) return toTask(m, selector, d, TaskSwitchReason.Call, next);
  if (type !== 4 && type !== 12) throw gp(selector & 0xfffc);
  const t = throughCallGate(m, selector, d);
  const gw = t.gate32 ? 4 : 2;
  const dpl = descDpl(CODE.hi);
  if (!codeConforming(CODE.hi) && dpl < cpu.cpl) {
    const inner = innerStack(m, dpl, 0);
    const desc = inner.desc, seg = inner.seg, big = inner.big;
    // The frame: SS, ESP, the parameters in their stack order (deepest first), CS, EIP.
    const params = t.params;
    if (params > 0) peekInto(m, params, gw);
    const frame = FRAME;
    let n = 0;
    frame[n++] = cpu.segSel[SEG_SS]!;
    frame[n++] = cpu.regs[ESP]!;
    for (let i = params - 1; i >= 0; i--) frame[n++] = POPPED[i]!;
    frame[n++] = cpu.segSel[SEG_CS]!;
    frame[n++] = next;
    const mem = m.mem;
    const was = mem.implicitSupervisor;
    mem.implicitSupervisor = true;
    let sp: number;
    try {
      sp = pushFrame(m, seg, inner.esp, big, frame, n, gw, inner.ss & 0xfffc);
    } finally {
      mem.implicitSupervisor = was;
    }
    markAccessed(m, desc);
    loadSegmentCache(cpu, SEG_SS, inner.ss, desc.lo, desc.hi);
    setStackPointer(cpu, sp, big);
    enterCode(m, t.codeSelector, CODE, t.offset, dpl);
    return VmmResult.Leave;
  }
  pushReturnAddress(m, next, gw);
  enterCode(m, t.codeSelector, CODE, t.offset, cpu.cpl);
  return VmmResult.Leave;
}

/** The checks on the CS a ret/iret pops; returns its descriptor (in CODE). */
function checkReturnCode(m: MonitorCore, cs: number): Descriptor {
  if ((cs & 0xfffc) === 0) throw gp(0);
  const d = readDescriptorOrGp(m, cs, CODE);
  if (!descIsCode(d.hi)) throw gp(cs & 0xfffc);
  const rpl = cs & 3;
  if (rpl < m.cpu.cpl) throw gp(cs & 0xfffc);
  const dpl = descDpl(d.hi);
  if (codeConforming(d.hi) ? dpl > rpl : dpl !== rpl) throw gp(cs & 0xfffc);
  if (!descPresent(d.hi)) throw np(cs & 0xfffc);
  return d;
}

/** The outer stack a return to a less privileged level switches to: SS (selector, descriptor) and ESP. */
const OUTER = { sel: 0, esp: 0, desc: new DescriptorSlot() };

/**
 * Common tail of ret and iret: `frameBytes` is what sits below SS:ESP on an
 * outer return (EIP, CS[, EFLAGS] and the ret imm16). Reads and checks the
 * outer SS:ESP into OUTER; changes nothing.
 */
function outerStack(m: MonitorCore, rpl: number, width: 2 | 4, frameBytes: number): void {
  const popped = peekInto(m, 2, width, frameBytes);
  OUTER.esp = popped[0]!;
  OUTER.sel = popped[1]! & 0xffff;
  checkStackSegment(m, OUTER.sel, rpl, OUTER.desc);
}

/** Loads the outer SS:ESP outerStack checked (ESP plus `releaseBytes`) and nulls the data segments the outer level may not use. */
function enterOuterStack(m: MonitorCore, releaseBytes: number): void {
  const cpu = m.cpu;
  const d = OUTER.desc;
  markAccessed(m, d);
  loadSegmentCache(cpu, SEG_SS, OUTER.sel, d.lo, d.hi);
  setStackPointer(cpu, OUTER.esp + releaseBytes, (d.hi & ATTR_DB) !== 0);
  nullInaccessibleSegments(cpu);
}

export function farRet(m: MonitorCore, opSize: number, releaseBytes: number): VmmResult {
  const cpu = m.cpu;
  const width = opSize === 2 ? 2 : 4;
  const popped = peekInto(m, 2, width);
  const off = popped[0]! >>> 0;
  const cs = popped[1]! & 0xffff;
  const code = checkReturnCode(m, cs);
  const rpl = cs & 3;
  if (rpl === cpu.cpl) {
    if (off > descLimit(code.lo, code.hi)) throw gp(0);
    release(cpu, 2 * width + releaseBytes);
    enterCode(m, cs, code, off, rpl);
    return VmmResult.Leave;
  }
  outerStack(m, rpl, width, 2 * width + releaseBytes);
  if (off > descLimit(code.lo, code.hi)) throw gp(0);
  enterCode(m, cs, code, off, rpl);
  enterOuterStack(m, releaseBytes);
  return VmmResult.Leave;
}

/** EFLAGS bits iret may change at CPL `cpl` with IOPL `io`. */
function iretChangeable(cpl: number, io: number, width: number): number {
  let bits = CF | PF | AF | ZF | SF | TF | DF | OF | NT | RF | AC | ID;
  if (cpl === 0) bits |= IOPL_MASK | VIF | VIP;
  if (cpl <= io) bits |= IF;
  return width === 2 ? bits & 0xffff : bits;
}

/** iret with NT=1: back to the task in the current TSS's back link (SDM IRET "TASK-RETURN"). */
function taskReturn(m: MonitorCore, next: number): VmmResult {
  const link = readSupervisor(m.mem, m.cpu.trBase >>> 0, 2);
  const d = tssDescriptorOr(m, link, GATE_TSS, ts, 0);
  checkTssDescriptor(m, link, d, TaskSwitchReason.Iret, 0);
  switchTask(m, link, d, TaskSwitchReason.Iret, next);
  return VmmResult.Leave;
}

export function iret(m: MonitorCore, next: number, opSize: number): VmmResult {
  const cpu = m.cpu;
  if ((cpu.eflagsSys & NT) !== 0) return taskReturn(m, next);
  const width = opSize === 2 ? 2 : 4;
  const popped = peekInto(m, 3, width);
  const off = popped[0]! >>> 0;
  const cs = popped[1]! & 0xffff;
  const flags = popped[2]!;
  if (width === 4 && (flags & VM) !== 0 && cpu.cpl === 0) {
    throw new UnsupportedGuestFeature('iret to virtual-8086 mode', cpu.eip);
  }
  const code = checkReturnCode(m, cs);
  const rpl = cs & 3;
  const old = readEflags(cpu);
  const changeable = iretChangeable(cpu.cpl, iopl(cpu), width);
  const eflags = (old & ~changeable) | (flags & changeable);
  if (rpl === cpu.cpl) {
    if (off > descLimit(code.lo, code.hi)) throw gp(0);
    release(cpu, 3 * width);
    enterCode(m, cs, code, off, rpl);
    writeEflags(cpu, eflags);
    return VmmResult.Leave;
  }
  outerStack(m, rpl, width, 3 * width);
  if (off > descLimit(code.lo, code.hi)) throw gp(0);
  writeEflags(cpu, eflags);
  enterCode(m, cs, code, off, rpl);
  enterOuterStack(m, 0);
  return VmmResult.Leave;
}

export function softwareInt(m: MonitorCore, next: number, vector: number): VmmResult {
  deliverSoftware(m, vector & 0xff, next);
  return VmmResult.Leave;
}

/** int1 (icebp): a #DB trap delivered like a hardware exception — no gate DPL check. */
export function icebp(m: MonitorCore, next: number): VmmResult {
  deliverException(m, 1, -1, next);
  return VmmResult.Leave;
}

export function into(m: MonitorCore, next: number): VmmResult {
  if ((arithFlags(m.cpu) & OF) === 0) return VmmResult.Continue;
  return softwareInt(m, next, 4);
}

/** Flat 4 GiB code/data attributes sysenter and sysexit load without reading the GDT. */
const FLAT_CODE = 0x00c09b00, FLAT_DATA = 0x00c09300, DPL3 = 3 << 13;

function loadFlat(m: MonitorCore, seg: number, selector: number, attr: number): void {
  const cpu = m.cpu;
  cpu.segSel[seg] = selector;
  cpu.segBase[seg] = 0;
  cpu.segLimit[seg] = 0xffffffff;
  cpu.segAttr[seg] = attr;
  if (seg === SEG_CS) cpu.codeSize = 4;
}

export function sysenter(m: MonitorCore): VmmResult {
  const cpu = m.cpu;
  if ((cpu.sysenterCs & 0xfffc) === 0) throw gp(0);
  cpu.eflagsSys &= ~(VM | IF | RF);
  loadFlat(m, SEG_CS, cpu.sysenterCs & 0xfffc, FLAT_CODE);
  loadFlat(m, SEG_SS, (cpu.sysenterCs + 8) & 0xfffc, FLAT_DATA);
  cpu.cpl = 0;
  cpu.regs[ESP] = cpu.sysenterEsp;
  cpu.eip = cpu.sysenterEip >>> 0;
  return VmmResult.Leave;
}

export function sysexit(m: MonitorCore): VmmResult {
  const cpu = m.cpu;
  if ((cpu.sysenterCs & 0xfffc) === 0 || cpu.cpl !== 0) throw gp(0);
  loadFlat(m, SEG_CS, ((cpu.sysenterCs + 16) & 0xfffc) | 3, FLAT_CODE | DPL3);
  loadFlat(m, SEG_SS, ((cpu.sysenterCs + 24) & 0xfffc) | 3, FLAT_DATA | DPL3);
  cpu.cpl = 3;
  cpu.regs[ESP] = cpu.regs[ECX]!;
  cpu.eip = cpu.regs[EDX]! >>> 0;
  return VmmResult.Leave;
}

