/**
 * Privileged, sensitive and I/O instructions: each becomes one `emulate`
 * call into the VMM (src/vmm-interface/interface.ts), which owns descriptor tables,
 * control registers, ports and the virtual IF/IOPL. Memory operands are
 * passed as linear addresses; register operands as values. Before the call
 * generated code writes all guest state back; the VMM may change any of it.
 *
 * Routine arguments (a, b, c; "→ result" = the VMM leaves a value in
 * Monitor.result, which the lifter writes where the instruction says):
 *
 *   routine     a                     b                       c             result / notes
 *   cli, sti    –                     –                       –             sti ends the block (interrupt shadow)
 *   hlt         –                     –                       –             ends the block
 *   pushf/popf  opSize (2|4)          –                       –             VMM does the whole push/pop incl. ESP and
 *                                                                           the arithmetic flags; popf ends the block
 *   in          port                  size (1|2|4)            –             → value; lifter writes AL/AX/EAX
 *   out         port                  value                   size
 *   ins         size (1|2|4)          addrSize | rep<<8       –             VMM does all iterations, updates EDI/ECX
 *   outs        size (1|2|4)          addrSize | rep<<8       source seg    VMM does all iterations, updates ESI/ECX
 *   cpuid, rdtsc, rdmsr, wrmsr        –                                     VMM reads/writes EAX ECX EDX EBX itself
 *   lgdt, lidt, sgdt, sidt            linear address of the 6-byte operand, b = opSize
 *   lldt, ltr   selector              –                       –
 *   sldt, str, smsw   –               –                       –             → value; lifter writes the r/m operand
 *                                                                           (register: opSize, zero-extended; memory: 16 bits)
 *   lmsw        value (16 bits)       –                       –             ends the block
 *   movToCr     crN                   value                   –             ends the block
 *   movFromCr   crN                   –                       –             → value; lifter writes the register
 *   movToDr     drN                   value                   –
 *   movFromDr   drN                   –                       –             → value
 *   clts        –                     –                       –             ends the block
 *   loadSeg     seg (0..5)            selector                flags         ends the block (pop ss, lss,
 *                                                                           lds/les/lfs/lgs, mov ss; the lifter writes
 *                                                                           the offset register / ESP afterwards);
 *                                                                           mov and pop ds/es/fs/gs pass LOAD_MAY_LEAVE
 *                                                                           (| bytes to pop << 8) and go on: the VMM
 *                                                                           pops, and leaves if the mode word changed
 *   farJmp, farCall  selector         offset                  opSize        VMM sets EIP (pushes for farCall)
 *   farRet      opSize                bytes to release (imm16) –
 *   iret        opSize                –                       –
 *   int         vector                1 for int1 (icebp), else 0          –
 *   int3, into  –                     –                       –             into: VMM tests OF itself
 *   invlpg      linear address        –                       –             ends the block
 *   invd, wbinvd  –
 *   lar, lsl    selector              destination gpr number  opSize        VMM writes the register and ZF
 *   verr, verw  selector              –                       –             VMM sets ZF
 *   sysenter, sysexit  –              –                       –             end the block
 *   fpu         x87Op word | FWAIT_OP linear address        offset in segment   every x87 instruction (lift/x87.ts)
 *
 * "Ends the block": the routine may change the translation mode or control
 * flow, so the block exits with `dispatch next` right after it. Routines
 * that transfer control set cpu.eip and return Leave; `next` is then unused.
 * Segment loads end the block because they can end flat segments or change
 * CS/SS (and mov ss has an interrupt shadow the VMM records), except mov and
 * pop to DS/ES/FS/GS: the VMM can finish those instructions itself (the
 * pop's ESP increment included), so it leaves right after the load when the
 * translation mode word changed, and the block goes on when it did not (a
 * kernel entry stub reloading the same flat selectors into four registers,
 * or its exit path popping them, no longer makes four trips through the
 * dispatcher).
 *
 * Unavailable features (syscall/sysret outside long mode, VMX, SMAP, MPK,
 * RTM, rdrand/rdseed, rdpid, rdtscp, rdpmc, xsave*, monitor/mwait, CET) raise #UD:
 * the virtual CPU's CPUID does not offer them. x87 and SIMD forms raise #UD
 * for now; #NM from CR0.EM/TS comes with an FPU.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import type { Value, VmmRoutine } from '../ir/types.js';
import { LOAD_MAY_LEAVE } from '../vmm-interface/interface.js';
import type { LiftContext } from './context.js';
import { inline, viaVmm, type LifterEntry, type LifterTable } from './lifter-entry.js';
import { loadOperand, memAddress, memAddressPlus, memOperand, operand, operandSize, writeOperand } from './operands.js';
import { releaseStack, stackTop } from './stack.js';

const UD = 6;

/** Routines after which the block must return to the dispatcher. */
export const ROUTINES_ENDING_BLOCK: ReadonlySet<VmmRoutine> = new Set<VmmRoutine>([
  'sti', 'hlt', 'popf', 'lmsw', 'movToCr', 'clts', 'loadSeg', 'farJmp', 'farCall', 'farRet', 'iret', 'int', 'into',
  'int3', 'invlpg', 'sysenter', 'sysexit',
]);

/** Emit an emulate and end the block after it when the routine requires. */
export function callVmm(ctx: LiftContext, routine: VmmRoutine, args: readonly (Value | number)[], hasResult = false): Value | null {
  const r = ctx.emulate(routine, args, hasResult);
  if (ROUTINES_ENDING_BLOCK.has(routine)) ctx.endBlock = true;
  return r;
}

export const raiseUd = (ctx: LiftContext): void => ctx.raise(UD);
export const UD_ENTRY: LifterEntry = { lift: raiseUd, handling: 'ud' };

const noArgs = (routine: VmmRoutine) => viaVmm((ctx) => void callVmm(ctx, routine, []));

/**
 * mov Sreg, r/m, pop Sreg and the far-pointer loads end up here.
 * `lastOfInstruction`: nothing of the instruction follows the load (mov), so
 * a data segment load may continue the block (see the header).
 */
export function loadSegment(ctx: LiftContext, seg: number, selector: Value, lastOfInstruction = false): void {
  if (seg === 1) return raiseUd(ctx); // mov cs, r/m is #UD
  const sel = ctx.op('and', selector, 0xffff);
  if (lastOfInstruction && seg !== SEG_SS) ctx.emulate('loadSeg', [seg, sel, LOAD_MAY_LEAVE], false);
  else callVmm(ctx, 'loadSeg', [seg, sel]);
}

const SEG_CS = 1;
const SEG_SS = 2;

/** mov involving control or debug registers (0F 20-23). */
export function movSystemRegister(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const s = operand(insn, 1);
  if (d.kind === 'reg' && (d.cls === 'cr' || d.cls === 'dr')) {
    const v = loadOperand(ctx, s, 4);
    callVmm(ctx, d.cls === 'cr' ? 'movToCr' : 'movToDr', [d.num, v]);
  } else if (s.kind === 'reg' && (s.cls === 'cr' || s.cls === 'dr')) {
    const r = callVmm(ctx, s.cls === 'cr' ? 'movFromCr' : 'movFromDr', [s.num], true)!;
    writeOperand(ctx, d, r, 4);
  } else {
    ctx.bug('not a control/debug register move');
  }
}

/** lds/les/lfs/lgs/lss r, m16:16/32: offset then selector; the segment is loaded before the register is written. */
function loadFarPointer(seg: number) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const m = memOperand(ctx, 1);
    const size = operandSize(d);
    const off = ctx.load(size, memAddress(ctx, m, size, 'read'));
    const sel = ctx.load(2, memAddressPlus(ctx, m, size, 2, 'read'));
    loadSegment(ctx, seg, sel);
    writeOperand(ctx, d, off);
  };
}

function inPort(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const size = operandSize(d);
  const port = ctx.op('and', loadOperand(ctx, operand(insn, 1), operand(insn, 1).kind === 'imm' ? 1 : 2), 0xffff);
  const v = callVmm(ctx, 'in', [port, size], true)!;
  writeOperand(ctx, d, v);
}

function outPort(ctx: LiftContext, insn: DecodedInsn): void {
  const s = operand(insn, 1);
  const size = operandSize(s);
  const p = operand(insn, 0);
  const port = ctx.op('and', loadOperand(ctx, p, p.kind === 'imm' ? 1 : 2), 0xffff);
  callVmm(ctx, 'out', [port, loadOperand(ctx, s), size]);
}

function stringIo(routine: 'ins' | 'outs') {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const m = memOperand(ctx, routine === 'ins' ? 0 : 1);
    const flags = insn.addrSize | (insn.rep !== 0 ? 0x100 : 0);
    callVmm(ctx, routine, routine === 'ins' ? [m.size, flags] : [m.size, flags, m.seg]);
  };
}

/** lgdt/lidt/sgdt/sidt: the linear address of the 6-byte pseudo-descriptor, checked against its segment here. */
function descriptorTable(routine: 'lgdt' | 'lidt' | 'sgdt' | 'sidt') {
  const access = routine[0] === 'l' ? 'read' : 'write';
  return viaVmm((ctx, insn) => void callVmm(ctx, routine, [memAddress(ctx, memOperand(ctx, 0), 6, access), insn.opSize]));
}

/** lldt/ltr/lmsw/verr/verw: one 16-bit operand value. */
function withSelector(routine: 'lldt' | 'ltr' | 'lmsw' | 'verr' | 'verw') {
  return viaVmm((ctx, insn) => void callVmm(ctx, routine, [loadOperand(ctx, operand(insn, 0), 2)]));
}

/** sldt/str/smsw: the VMM's value written to r/m (register: operand size, memory: 16 bits). */
function storeSystemValue(routine: 'sldt' | 'str' | 'smsw') {
  return viaVmm((ctx, insn) => {
    const d = operand(insn, 0);
    const v = callVmm(ctx, routine, [], true)!;
    writeOperand(ctx, d, ctx.op('and', v, 0xffff));
  });
}

function larLsl(routine: 'lar' | 'lsl') {
  return viaVmm((ctx, insn) => {
    const d = operand(insn, 0);
    const sel = loadOperand(ctx, operand(insn, 1), 2);
    callVmm(ctx, routine, [sel, d.kind === 'reg' ? d.num : 0, insn.opSize]);
  });
}

/** arpl r/m16, r16: raise the RPL of the destination to the source's; ZF says whether it changed. */
function arpl(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const dst = loadOperand(ctx, d, 2);
  const src = loadOperand(ctx, operand(insn, 1), 2);
  const dr = ctx.op('and', dst, 3);
  const sr = ctx.op('and', src, 3);
  const raise = ctx.op('ltu', dr, sr);
  writeOperand(ctx, d, ctx.select(raise, ctx.op('or', ctx.op('and', dst, 0xfffc), sr), dst), 2);
  ctx.setFlagsExplicit(ctx.op('or', ctx.op('and', ctx.flagsAll(), ~0x40 & 0x8d5), ctx.op('shl', raise, 6)));
}

/**
 * pop Sreg: read the selector, let the VMM load the segment, then release
 * the stack slot. For DS/ES/FS/GS the VMM releases it itself after a
 * successful load and leaves only if the mode word changed, so the block
 * goes on (see loadSegment); pop SS ends the block, its release following
 * the call.
 */
export function popSegment(ctx: LiftContext, insn: DecodedInsn): void {
  const s = operand(insn, 0);
  if (s.kind !== 'reg') return ctx.bug('pop sreg without a segment register');
  const sel = ctx.load(2, stackTop(ctx, 0, insn.opSize));
  if (s.num === SEG_SS || s.num === SEG_CS) {
    loadSegment(ctx, s.num, sel);
    releaseStack(ctx, insn.opSize);
  } else {
    ctx.emulate('loadSeg', [s.num, ctx.op('and', sel, 0xffff), LOAD_MAY_LEAVE | (insn.opSize << 8)], false);
  }
}

export const SYSTEM_LIFTERS: LifterTable = {
  cli: noArgs('cli'),
  sti: noArgs('sti'),
  hlt: noArgs('hlt'),
  pushf: viaVmm((ctx) => void callVmm(ctx, 'pushf', [4])),
  pushfw: viaVmm((ctx) => void callVmm(ctx, 'pushf', [2])),
  popf: viaVmm((ctx) => void callVmm(ctx, 'popf', [4])),
  popfw: viaVmm((ctx) => void callVmm(ctx, 'popf', [2])),
  in: viaVmm(inPort),
  out: viaVmm(outPort),
  ins: viaVmm(stringIo('ins')),
  outs: viaVmm(stringIo('outs')),
  cpuid: noArgs('cpuid'),
  rdtsc: noArgs('rdtsc'),
  rdmsr: noArgs('rdmsr'),
  wrmsr: noArgs('wrmsr'),
  lgdtd: descriptorTable('lgdt'), lgdtw: descriptorTable('lgdt'),
  lidtd: descriptorTable('lidt'), lidtw: descriptorTable('lidt'),
  sgdtd: descriptorTable('sgdt'), sgdtw: descriptorTable('sgdt'),
  sidtd: descriptorTable('sidt'), sidtw: descriptorTable('sidt'),
  lldt: withSelector('lldt'),
  ltr: withSelector('ltr'),
  lmsw: withSelector('lmsw'),
  verr: withSelector('verr'),
  verw: withSelector('verw'),
  sldt: storeSystemValue('sldt'),
  str: storeSystemValue('str'),
  smsw: storeSystemValue('smsw'),
  lar: larLsl('lar'),
  lsl: larLsl('lsl'),
  clts: noArgs('clts'),
  // invlpg names an address; it does not access memory through the segment (no limit check).
  invlpg: viaVmm((ctx) => void callVmm(ctx, 'invlpg', [memAddress(ctx, memOperand(ctx, 0), 1, 'none')])),
  invd: noArgs('invd'),
  wbinvd: noArgs('wbinvd'),
  sysexit: noArgs('sysexit'),
  lds: viaVmm(loadFarPointer(3)),
  les: viaVmm(loadFarPointer(0)),
  lfs: viaVmm(loadFarPointer(4)),
  lgs: viaVmm(loadFarPointer(5)),
  lss: viaVmm(loadFarPointer(2)),
  arpl: inline(arpl),
  // Features the virtual CPU does not offer.
  vmcall: UD_ENTRY, vmlaunch: UD_ENTRY, vmresume: UD_ENTRY, vmxoff: UD_ENTRY,
  monitor: UD_ENTRY, mwait: UD_ENTRY, clac: UD_ENTRY, stac: UD_ENTRY,
  xgetbv: UD_ENTRY, xsetbv: UD_ENTRY, rdpkru: UD_ENTRY, wrpkru: UD_ENTRY,
  swapgs: UD_ENTRY, rdtscp: UD_ENTRY, rdpmc: UD_ENTRY, rsm: UD_ENTRY,
  syscall: UD_ENTRY, sysret: UD_ENTRY,
  xsave: UD_ENTRY, xrstor: UD_ENTRY, xsaveopt: UD_ENTRY,
  rdrand: UD_ENTRY, rdseed: UD_ENTRY, rdpid: UD_ENTRY,
  xbegin: UD_ENTRY, xabort: UD_ENTRY, xend: UD_ENTRY, xtest: UD_ENTRY,
  ud0: UD_ENTRY, ud1: UD_ENTRY, ud2: UD_ENTRY,
  // CET shadow stacks are never enabled (CR4.CET stays 0): rdssp is then a hint nop, the rest #UD.
  rdsspd: inline(() => {}),
  incsspd: UD_ENTRY, setssbsy: UD_ENTRY, saveprevssp: UD_ENTRY, rstorssp: UD_ENTRY, clrssbsy: UD_ENTRY,
  wrssd: UD_ENTRY, wrussd: UD_ENTRY,
  // AMD-only and SMX forms: not offered either (getsec is #UD while CR4.SMXE = 0).
  monitorx: UD_ENTRY, mwaitx: UD_ENTRY, clzero: UD_ENTRY, getsec: UD_ENTRY,
};
