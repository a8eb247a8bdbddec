/**
 * `btvm run -d mmu`: one log line per MMU event — every TLB miss and how it
 * ended (machine page, hidden page fault filled from a walk, slow path, or a
 * guest page fault with its error code and CR2), CR3 writes, invlpg, CR0/CR4
 * and privilege-class changes with the TLB and shadow flushes they caused.
 *
 * The MMU (src/vmm/mmu) keeps counters but no log, so this wraps the public
 * methods of the one MMU instance of the run, and only when -d mmu is on:
 * generated code calls `MMU.fillRead(...)` through the object, so the
 * wrappers see its misses too, and a run without -d mmu keeps the MMU's
 * own methods. Which counters moved during a call says what happened in it.
 */
import type { CpuState } from '../state/state.js';
import { isMachinePage, type Mmu, type MmuStatistics } from '../mmu/mmu.js';

const hex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Counters whose change during a call is worth naming, with how to say it. */
const NOTED: readonly [keyof MmuStatistics, string][] = [
  ['hiddenPageFaults', 'hidden page fault'],
  ['walks', 'walk'],
  ['tracedWrites', 'traced write'],
  ['shadowFlushes', 'shadow dropped'],
  ['tlbFlushes', 'TLB flushed'],
];

function changes(before: readonly number[], s: MmuStatistics): string {
  const said: string[] = [];
  NOTED.forEach(([k, what], i) => {
    const n = s[k] - before[i]!;
    if (n > 0) said.push(n === 1 ? what : `${what} x${n}`);
  });
  return said.length === 0 ? '' : ` [${said.join(', ')}]`;
}

const snapshot = (s: MmuStatistics): number[] => NOTED.map(([k]) => s[k]);

/** Installs the logging wrappers on `mmu`; every line goes to `log` prefixed `mmu: `. */
export function attachMmuEventLog(mmu: Mmu, cpu: CpuState, log: (text: string) => void): void {
  const s = mmu.statistics;
  const outcome = (result: number): string => {
    // int32 machine pages are negative from 2 GiB up: told from the MMU's codes by alignment.
    if (isMachinePage(result)) return `machine page ${hex(result)}`;
    if (result === -1) return `#PF error=${mmu.fault.errorCode.toString(16)} cr2=${hex(mmu.fault.cr2)}`;
    return result === -3 ? 'done by the MMU, invalidated running code' : 'done by the MMU';
  };
  const fillRead = mmu.fillRead.bind(mmu), fillWrite = mmu.fillWrite.bind(mmu), probeWrite = mmu.probeWrite.bind(mmu);
  mmu.fillRead = (linear, size) => {
    const before = snapshot(s);
    const r = fillRead(linear, size);
    log(`mmu: miss read  ${hex(linear)}/${size} cpl=${cpu.cpl} -> ${outcome(r)}${changes(before, s)}\n`);
    return r;
  };
  mmu.fillWrite = (linear, size, value, region) => {
    const before = snapshot(s);
    const r = fillWrite(linear, size, value, region);
    log(`mmu: miss write ${hex(linear)}/${size} cpl=${cpu.cpl} -> ${outcome(r)}${changes(before, s)}\n`);
    return r;
  };
  mmu.probeWrite = (linear, size) => {
    const r = probeWrite(linear, size);
    if (r !== 0) log(`mmu: store probe ${hex(linear)}/${size} -> ${outcome(r)}\n`);
    return r;
  };
  // CPL changes come with every interrupt and iret: logged only when they flushed something.
  const control = (name: 'onCr3Write' | 'onCr0Cr4Write' | 'onCplChange', what: () => string, always: boolean): void => {
    const inner = mmu[name].bind(mmu);
    mmu[name] = () => {
      const before = snapshot(s);
      inner();
      const moved = changes(before, s);
      if (always || moved !== '') log(`mmu: ${what()}${moved}\n`);
    };
  };
  control('onCr3Write', () => `cr3 <- ${hex(cpu.cr3)}`, true);
  control('onCr0Cr4Write', () => `cr0=${hex(cpu.cr0)} cr4=${hex(cpu.cr4)}`, true);
  control('onCplChange', () => `cpl ${cpu.cpl}`, false);
  const invlpg = mmu.onInvlpg.bind(mmu);
  mmu.onInvlpg = (linear) => {
    const before = snapshot(s);
    invlpg(linear);
    log(`mmu: invlpg ${hex(linear)}${changes(before, s)}\n`);
  };
}
