/**
 * The virtual machine monitor as translated code sees it: the Monitor of
 * interface.ts, dispatching each routine index to its emulation in the
 * concern files (privileged.ts, flags-virt.ts, io.ts, segments.ts,
 * far-transfers.ts, selector-probes.ts, cpuid.ts, msr.ts).
 *
 * Contract (interface.ts): on entry CpuState holds the guest state with EIP
 * at the instruction; `next` is the instruction after it. A routine returns
 * Continue (state updated, go on at `next`) or Leave after setting cpu.eip.
 * A GuestFault thrown by a routine is delivered here as an exception at the
 * instruction and the result is Leave; an UnsupportedGuestFeature ends the
 * run. Routines take their privilege decisions at the virtual CPL, so the
 * guest kernel sees bare-hardware behaviour while really running as
 * unprivileged JavaScript.
 */
import { VMM_ROUTINES, VmmResult, type Monitor } from '../vmm-interface/interface.js';
import type { VmmRoutine } from '../ir/types.js';
import { cpuid } from './cpuid.js';
import { fpu } from './x87.js';
import { simd } from './simd.js';
import { Access, Translation } from '../mmu/mmu.js';
import { deliverException } from './exceptions.js';
import { GuestFault, UnsupportedGuestFeature } from './fault.js';
import { farCall, farJmp, farRet, icebp, into, iret, softwareInt, sysenter, sysexit } from './far-transfers.js';
import { popf, pushf } from './flags-virt.js';
import { ins, outs, portIn, portOut } from './io.js';
import type { MonitorCore } from './monitor-core.js';
import { rdmsr, wrmsr } from './msr.js';
import {
  cacheControl, cli, clts, hlt, lldt, lmsw, loadTableRegister, ltr, movFromCr, movFromDr, movToCr, movToDr, rdtsc,
  requireRing0, sldt, smsw, storeTableRegister, str, sti,
} from './privileged.js';
import { loadSeg } from './segments.js';
import { arpl, lar, lsl, verr, verw } from './selector-probes.js';

const idx = (r: VmmRoutine): number => VMM_ROUTINES.indexOf(r);
const PAGE_FAULT = 14;

/**
 * CR2 and the error code of an instruction fetch that faulted: the first
 * page of the (at most 15-byte) instruction at CS:EIP that does not allow
 * execution at the current CPL. Writes CR2; returns the error code, or -1
 * when nothing faults (no MMU, or the page became readable meanwhile).
 */
function fetchFault(m: MonitorCore): number {
  const mmu = m.mmu;
  if (mmu === null) return -1;
  const cpu = m.cpu;
  const linear = (cpu.segBase[1]! + cpu.eip) | 0;
  for (const at of [linear, (linear | 0xfff) + 1]) {
    if (at !== linear && ((linear & 0xfff) <= 0x1000 - 15)) break;
    if (mmu.translate(at | 0, Access.Exec, cpu.cpl) === Translation.Fault) {
      cpu.cr2 = mmu.fault.cr2;
      return mmu.fault.errorCode;
    }
  }
  return -1;
}

/**
 * Routine indices as literals (VMM_ROUTINES order), so run()'s switch is
 * over integer constants, which V8 compiles to a jump table; with indices
 * read from an object at run time each case was a compare, and the routine
 * an event needs (loadSeg, iret, int) sat dozens of compares down the chain.
 * The check below the enum keeps it in step with VMM_ROUTINES.
 */
const enum R {
  cli = 0, sti = 1, hlt = 2, pushf = 3, popf = 4, in = 5, out = 6, ins = 7, outs = 8, cpuid = 9, rdtsc = 10,
  rdmsr = 11, wrmsr = 12, lgdt = 13, lidt = 14, sgdt = 15, sidt = 16, lldt = 17, sldt = 18, ltr = 19,
  str = 20, movToCr = 21, movFromCr = 22, movToDr = 23, movFromDr = 24, clts = 25, lmsw = 26, smsw = 27,
  loadSeg = 28, farJmp = 29, farCall = 30, farRet = 31, iret = 32, int = 33, into = 34, int3 = 35,
  invlpg = 36, invd = 37, wbinvd = 38, lar = 39, lsl = 40, verr = 41, verw = 42, arpl = 43, sysenter = 44,
  sysexit = 45, fpu = 46, simd = 47,
}

const ROUTINE_ORDER: ReadonlyArray<readonly [VmmRoutine, R]> = [
  ['cli', R.cli], ['sti', R.sti], ['hlt', R.hlt], ['pushf', R.pushf], ['popf', R.popf], ['in', R.in],
  ['out', R.out], ['ins', R.ins], ['outs', R.outs], ['cpuid', R.cpuid], ['rdtsc', R.rdtsc], ['rdmsr', R.rdmsr],
  ['wrmsr', R.wrmsr], ['lgdt', R.lgdt], ['lidt', R.lidt], ['sgdt', R.sgdt], ['sidt', R.sidt], ['lldt', R.lldt],
  ['sldt', R.sldt], ['ltr', R.ltr], ['str', R.str], ['movToCr', R.movToCr], ['movFromCr', R.movFromCr], ['movToDr', R.movToDr],
  ['movFromDr', R.movFromDr], ['clts', R.clts], ['lmsw', R.lmsw], ['smsw', R.smsw], ['loadSeg', R.loadSeg], ['farJmp', R.farJmp],
  ['farCall', R.farCall], ['farRet', R.farRet], ['iret', R.iret], ['int', R.int], ['into', R.into], ['int3', R.int3],
  ['invlpg', R.invlpg], ['invd', R.invd], ['wbinvd', R.wbinvd], ['lar', R.lar], ['lsl', R.lsl], ['verr', R.verr],
  ['verw', R.verw], ['arpl', R.arpl], ['sysenter', R.sysenter], ['sysexit', R.sysexit], ['fpu', R.fpu],
  ['simd', R.simd],
];
for (const [name, index] of ROUTINE_ORDER) {
  if (idx(name) !== index) throw new Error(`monitor.ts: routine ${name} is ${idx(name)} in VMM_ROUTINES, not ${index}`);
}
if (ROUTINE_ORDER.length !== VMM_ROUTINES.length) throw new Error('monitor.ts: VMM_ROUTINES has routines run() does not know');

export class VirtualMachineMonitor implements Monitor {
  result = 0;
  /** Where and when a fetch #PF last turned out not to fault (see raise). */
  private spuriousFetchEip = -1;
  private spuriousFetchIcount = -1;

  constructor(readonly core: MonitorCore) {}

  emulate(routine: number, next: number, a: number, b: number, c: number): VmmResult {
    const m = this.core;
    m.stats.routineCalls[routine]++;
    const cpl = m.cpu.cpl;
    try {
      return this.run(m, routine, next, a, b, c);
    } catch (e) {
      if (e instanceof GuestFault) {
        deliverException(m, e.vector, e.errorCode);
        return VmmResult.Leave;
      }
      if (e instanceof UnsupportedGuestFeature) {
        m.requestEnd({ kind: 'unsupported', detail: e.message });
        return VmmResult.Leave;
      }
      throw e;
    } finally {
      // Every CPL change (iret, far transfers, sysenter/sysexit, event delivery) passes here or through raise().
      if (m.cpu.cpl !== cpl) m.mmu?.onCplChange();
    }
  }

  raise(vector: number, errorCode: number): void {
    const m = this.core;
    const cpl = m.cpu.cpl;
    if (vector === PAGE_FAULT && errorCode < 0) {
      // The lifter's `raise #14` for code it could not fetch: the fault's CR2 and error code come from the MMU.
      errorCode = fetchFault(m);
      // The translation that raised it is keyed by the instruction's first (readable) page; once the
      // guest maps the rest it must be translated afresh, not found again.
      m.onFetchFault?.((m.cpu.segBase[1]! + m.cpu.eip) | 0);
      if (errorCode < 0) {
        // Mapped meanwhile (nothing to deliver): run the instruction again from a fresh translation —
        // unless that already happened here without progress, which would loop forever.
        const cpu = m.cpu;
        if (cpu.eip === this.spuriousFetchEip && cpu.icount === this.spuriousFetchIcount) {
          m.requestEnd({ kind: 'internal-error', detail: `#PF raised again for a fetch at eip=0x${(cpu.eip >>> 0).toString(16)} that does not fault` });
        }
        this.spuriousFetchEip = cpu.eip;
        this.spuriousFetchIcount = cpu.icount;
        return;
      }
    }
    deliverException(m, vector, errorCode < 0 ? -1 : errorCode & 0xffff);
    if (m.cpu.cpl !== cpl) m.mmu?.onCplChange();
  }

  private run(m: MonitorCore, r: number, next: number, a: number, b: number, c: number): VmmResult {
    switch (r) {
      case R.cli: return cli(m);
      case R.sti: return sti(m, next);
      case R.hlt: return hlt(m, next);
      case R.pushf: return pushf(m, a);
      case R.popf: return popf(m, next, a);
      case R.in: this.result = portIn(m, a, b); return VmmResult.Continue;
      case R.out: return portOut(m, next, a, b, c);
      case R.ins: return ins(m, next, a, b);
      case R.outs: return outs(m, next, a, b, c);
      case R.cpuid: return cpuid(m);
      case R.rdtsc: return rdtsc(m);
      case R.rdmsr: return rdmsr(m);
      case R.wrmsr: return wrmsr(m);
      case R.lgdt: return loadTableRegister(m, 'gdt', a, b);
      case R.lidt: return loadTableRegister(m, 'idt', a, b);
      case R.sgdt: return storeTableRegister(m, 'gdt', a);
      case R.sidt: return storeTableRegister(m, 'idt', a);
      case R.lldt: return lldt(m, a);
      case R.sldt: this.result = sldt(m); return VmmResult.Continue;
      case R.ltr: return ltr(m, a);
      case R.str: this.result = str(m); return VmmResult.Continue;
      case R.movToCr: return movToCr(m, next, a, b);
      case R.movFromCr: this.result = movFromCr(m, a); return VmmResult.Continue;
      case R.movToDr: return movToDr(m, a, b);
      case R.movFromDr: this.result = movFromDr(m, a); return VmmResult.Continue;
      case R.clts: return clts(m);
      case R.lmsw: return lmsw(m, a);
      case R.smsw: this.result = smsw(m); return VmmResult.Continue;
      case R.loadSeg: return loadSeg(m, next, a, b, c);
      case R.farJmp: return farJmp(m, next, a, b, c);
      case R.farCall: return farCall(m, next, a, b, c);
      case R.farRet: return farRet(m, a, b);
      case R.iret: return iret(m, next, a);
      case R.int: return b === 1 ? icebp(m, next) : softwareInt(m, next, a);
      case R.into: return into(m, next);
      case R.int3: return softwareInt(m, next, 3);
      case R.invlpg: return cacheControl(m, true, a);
      case R.invd:
      case R.wbinvd: return cacheControl(m, false);
      case R.lar: return lar(m, a, b, c);
      case R.lsl: return lsl(m, a, b, c);
      case R.verr: return verr(m, a);
      case R.verw: return verw(m, a);
      case R.arpl: this.result = arpl(m, a, b); return VmmResult.Continue;
      case R.sysenter: return sysenter(m);
      case R.sysexit: requireRing0(m); return sysexit(m);
      case R.fpu: return fpu(m, a, b, c);
      case R.simd: return simd(m, a, b, c);
      default:
        throw new Error(`emulate: unknown VMM routine index ${r}`);
    }
  }
}
