/**
 * Instructions that exist only on CPUs with a CPUID feature: on a model
 * without it they raise #UD, as that CPU does (issue: CPUID must advertise
 * exactly what btvm executes, and nothing beyond it may run).
 *
 * Two encodings do not fault on older CPUs but mean something else: the F3
 * prefix of `lzcnt` and `tzcnt` is ignored where ABM/BMI1 are absent, so
 * they run as `bsr` and `bsf` (SDM Vol. 2A, LZCNT: "on processors that do
 * not support LZCNT, the instruction byte encoding is executed as BSR").
 * No btvm model has ABM or BMI1 (their CPUID leaves are not modelled).
 */
import type { CpuModel } from '../state/cpu-features.js';

const CMOV = ['cmovo', 'cmovno', 'cmovb', 'cmovae', 'cmove', 'cmovne', 'cmovbe', 'cmova',
  'cmovs', 'cmovns', 'cmovp', 'cmovnp', 'cmovl', 'cmovge', 'cmovle', 'cmovg'];
const FCMOV = ['fcmovb', 'fcmove', 'fcmovbe', 'fcmovu', 'fcmovnb', 'fcmovne', 'fcmovnbe', 'fcmovnu',
  'fcomi', 'fcomip', 'fucomi', 'fucomip'];

/** Mnemonic → the CPUID features it needs (all of them). */
const REQUIRES: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ...CMOV.map((m) => [m, ['cmov']] as const),
  ...FCMOV.map((m) => [m, ['fpu', 'cmov']] as const),
  ['cmpxchg8b', ['cx8']],
  ['rdtsc', ['tsc']],
  ['rdmsr', ['msr']], ['wrmsr', ['msr']],
  ['sysenter', ['sep']], ['sysexit', ['sep']],
  ['clflush', ['clflush']],
  ['sfence', ['sse']],
  ['lfence', ['sse2']], ['mfence', ['sse2']], ['movnti', ['sse2']],
  ['popcnt', ['popcnt']],
  ['movbe', ['movbe']],
  ['crc32', ['sse4.2']],
]);

/** Encodings that run as another instruction on CPUs without their feature. */
const FALLBACK: ReadonlyMap<string, string> = new Map([
  ['lzcnt', 'bsr'],
  ['tzcnt', 'bsf'],
]);

/** What `mnemonic` does on `model`: 'ud', or the mnemonic whose semantics to lift. */
export function gateFor(model: CpuModel, mnemonic: string): string {
  const fallback = FALLBACK.get(mnemonic);
  if (fallback !== undefined) return fallback;
  const needs = REQUIRES.get(mnemonic);
  if (needs !== undefined && !needs.every((f) => model.has(f))) return 'ud';
  return mnemonic;
}
