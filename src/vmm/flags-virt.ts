/**
 * pushf and popf with the virtual IF and IOPL.
 *
 * These two are the textbook reason x86 is not classically virtualizable:
 * they never fault, yet their effect depends on privilege. At CPL 0 popf
 * changes IF and IOPL; at CPL <= IOPL it changes IF but not IOPL; otherwise
 * it silently keeps both. pushf shows whatever IF and IOPL are.
 *
 * --virt=bt (default): the translator routes both here and they act on the
 * guest's virtual CPL, IF and IOPL — the guest kernel sees exactly what it
 * would on bare hardware.
 * --virt=trap: they model what a deprivileged CPU (guest kernel in ring 3,
 * real IOPL 0, real IF 1) does without trapping: popf never changes IF or
 * IOPL, pushf shows IF=1 and IOPL=0. A kernel that saves IF with pushf,
 * does cli, and restores with popf loses its interrupts.
 */
import { VmmResult } from '../vmm-interface/interface.js';
import { AC, AF, CF, DF, ID, IF, IOPL_MASK, NT, OF, PF, RF, SF, TF, VM, ZF, iopl, readEflags, writeEflags } from './lazy-flags.js';
import type { MonitorCore } from './monitor-core.js';
import { peek, push, release } from './stack.js';

/** Bits popf may change at any privilege (IF and IOPL are added per the rules above). */
const POPF_ALWAYS = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID;

export function pushf(m: MonitorCore, opSize: number): VmmResult {
  let v = readEflags(m.cpu) & ~(VM | RF);
  if (m.virt === 'trap') v = (v & ~IOPL_MASK) | IF;
  push(m, [v], opSize === 2 ? 2 : 4);
  return VmmResult.Continue;
}

export function popf(m: MonitorCore, next: number, opSize: number): VmmResult {
  const cpu = m.cpu;
  const width = opSize === 2 ? 2 : 4;
  const [popped] = peek(m, 1, width);
  const old = readEflags(cpu);
  let changeable = POPF_ALWAYS;
  if (m.virt === 'bt') {
    if (cpu.cpl === 0) changeable |= IF | IOPL_MASK;
    else if (cpu.cpl <= iopl(cpu)) changeable |= IF;
  }
  if (width === 2) changeable &= 0xffff;
  const value = ((old & ~changeable) | (popped! & changeable)) & ~RF;
  release(cpu, width);
  writeEflags(cpu, value);
  // Interrupts just enabled: leave so that a pending one is taken after this instruction.
  if ((old & IF) === 0 && (value & IF) !== 0) {
    cpu.eip = next;
    return VmmResult.Leave;
  }
  return VmmResult.Continue;
}
