/**
 * The cpuid instruction: the monitor answers from the machine's CPU model
 * (cpu.model: state/cpu-features.ts over the tables of state/cpu-model.ts), leaf in
 * EAX, subleaf in ECX.
 */
import { VmmResult } from '../vmm-interface/interface.js';
import type { MonitorCore } from './monitor-core.js';

const EAX = 0, ECX = 1, EDX = 2, EBX = 3;

export function cpuid(m: MonitorCore): VmmResult {
  const r = m.cpu.regs;
  const [a, b, c, d] = m.cpu.model.cpuid(r[EAX]!, r[ECX]!);
  r[EAX] = a;
  r[EBX] = b;
  r[ECX] = c;
  r[EDX] = d;
  return VmmResult.Continue;
}
