/**
 * CPU models by name and their feature bits: `-cpu btvm32`, `-cpu
 * qemu32,-sse`, as QEMU spells them.
 *
 * A model is the qemu32 CPUID table (cpu-model.ts) with leaf 1's feature
 * words replaced. Features are named as QEMU and Linux's /proc/cpuinfo name
 * them. Each knows whether btvm executes it: a model may only advertise
 * what runs, so `+pae` is refused with a one-line error (no PAE paging),
 * and so are SSSE3 and later extensions.
 */
import { cpuidLeaf } from './cpu-model.js';

type Leaf = readonly [eax: number, ebx: number, ecx: number, edx: number];

/** Where a feature's bit lives: CPUID.01H EDX or ECX. */
export const enum FeatureWord {
  Edx1 = 0,
  Ecx1 = 1,
}

interface FeatureInfo {
  readonly word: FeatureWord;
  readonly bit: number;
  /** btvm executes everything the feature adds. */
  readonly executed: boolean;
}

/** Named features of CPUID.01H (SDM Vol. 2A, Table 3-10 and 3-11). */
export const FEATURES: ReadonlyMap<string, FeatureInfo> = new Map<string, FeatureInfo>([
  ['fpu', { word: FeatureWord.Edx1, bit: 0, executed: true }],
  ['vme', { word: FeatureWord.Edx1, bit: 1, executed: false }],
  ['de', { word: FeatureWord.Edx1, bit: 2, executed: true }],
  ['pse', { word: FeatureWord.Edx1, bit: 3, executed: true }],
  ['tsc', { word: FeatureWord.Edx1, bit: 4, executed: true }],
  ['msr', { word: FeatureWord.Edx1, bit: 5, executed: true }],
  ['pae', { word: FeatureWord.Edx1, bit: 6, executed: false }],
  ['mce', { word: FeatureWord.Edx1, bit: 7, executed: true }],
  ['cx8', { word: FeatureWord.Edx1, bit: 8, executed: true }],
  ['apic', { word: FeatureWord.Edx1, bit: 9, executed: true }],
  ['sep', { word: FeatureWord.Edx1, bit: 11, executed: true }],
  ['mtrr', { word: FeatureWord.Edx1, bit: 12, executed: false }],
  ['pge', { word: FeatureWord.Edx1, bit: 13, executed: true }],
  ['mca', { word: FeatureWord.Edx1, bit: 14, executed: false }],
  ['cmov', { word: FeatureWord.Edx1, bit: 15, executed: true }],
  ['pat', { word: FeatureWord.Edx1, bit: 16, executed: true }],
  ['pse36', { word: FeatureWord.Edx1, bit: 17, executed: false }],
  ['clflush', { word: FeatureWord.Edx1, bit: 19, executed: false }],
  ['mmx', { word: FeatureWord.Edx1, bit: 23, executed: true }],
  ['fxsr', { word: FeatureWord.Edx1, bit: 24, executed: true }],
  ['sse', { word: FeatureWord.Edx1, bit: 25, executed: true }],
  ['sse2', { word: FeatureWord.Edx1, bit: 26, executed: true }],
  ['sse3', { word: FeatureWord.Ecx1, bit: 0, executed: true }],
  ['ssse3', { word: FeatureWord.Ecx1, bit: 9, executed: false }],
  ['cx16', { word: FeatureWord.Ecx1, bit: 13, executed: false }],
  ['sse4.1', { word: FeatureWord.Ecx1, bit: 19, executed: false }],
  ['sse4.2', { word: FeatureWord.Ecx1, bit: 20, executed: false }],
  ['movbe', { word: FeatureWord.Ecx1, bit: 22, executed: true }],
  ['popcnt', { word: FeatureWord.Ecx1, bit: 23, executed: true }],
  ['hypervisor', { word: FeatureWord.Ecx1, bit: 31, executed: true }],
]);

/** The guest's CPU: its name as given and CPUID.01H's two feature words. */
export class CpuModel {
  constructor(
    readonly name: string,
    readonly edx1: number,
    readonly ecx1: number,
  ) {}

  has(feature: string): boolean {
    const f = FEATURES.get(feature);
    if (f === undefined) throw new Error(`unknown CPU feature ${feature}`);
    const word = f.word === FeatureWord.Edx1 ? this.edx1 : this.ecx1;
    return ((word >>> f.bit) & 1) === 1;
  }

  /** CPUID's answer for `leaf`/`subleaf` on this model. */
  cpuid(leaf: number, subleaf: number): Leaf {
    const l = cpuidLeaf(leaf, subleaf);
    if ((leaf >>> 0) !== 1) return l;
    return [l[0], l[1], this.ecx1 | 0, this.edx1 | 0];
  }
}

const QEMU32 = cpuidLeaf(1, 0);
/** What QEMU's qemu32 advertises and btvm does not execute: PAE paging. */
const NOT_EXECUTED = ['pae'];
/** The SIMD extensions, which btvm32 leaves out. */
const SIMD = ['mmx', 'fxsr', 'sse', 'sse2', 'sse3'];

/**
 * Base models: name → [EDX, ECX] of leaf 1. qemu32 is QEMU's default model
 * less PAE; btvm32 is that without MMX, FXSR, SSE, SSE2 and SSE3, for
 * guests (and comparisons) that must run on the x87 alone.
 */
const BASE_MODELS: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['qemu32', withFeatures(QEMU32[3], QEMU32[2], NOT_EXECUTED, false)],
  ['btvm32', withFeatures(QEMU32[3], QEMU32[2], [...NOT_EXECUTED, ...SIMD], false)],
]);

/** The model `btvm run` uses without -cpu. */
export const DEFAULT_CPU_MODEL = 'qemu32';

function withFeatures(edx: number, ecx: number, names: readonly string[], on: boolean): readonly [number, number] {
  for (const n of names) {
    const f = FEATURES.get(n)!;
    const m = 1 << f.bit;
    if (f.word === FeatureWord.Edx1) edx = on ? edx | m : edx & ~m;
    else ecx = on ? ecx | m : ecx & ~m;
  }
  return [edx >>> 0, ecx >>> 0];
}

/** A -cpu argument btvm cannot honour; the message is the one line the CLI prints. */
export class CpuModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CpuModelError';
  }
}

/** Names `-cpu help` lists. */
export const CPU_MODEL_NAMES: readonly string[] = [...BASE_MODELS.keys()];

/** Parse `NAME[,+feat|-feat|feat=on|feat=off]...` into a model that advertises only executed features. */
export function parseCpuModel(spec: string): CpuModel {
  const [name, ...mods] = spec.split(',');
  const base = BASE_MODELS.get(name ?? '');
  if (base === undefined) throw new CpuModelError(`unknown CPU model '${name}' (models: ${CPU_MODEL_NAMES.join(', ')})`);
  let [edx, ecx] = base;
  for (const mod of mods) {
    const m = /^([+-])?([a-z0-9.]+)(?:=(on|off))?$/.exec(mod);
    const feature = m?.[2];
    if (m === null || feature === undefined || (m[1] !== undefined && m[3] !== undefined)) {
      throw new CpuModelError(`bad -cpu feature '${mod}': write +name, -name, name=on or name=off`);
    }
    if (!FEATURES.has(feature)) throw new CpuModelError(`unknown CPU feature '${feature}' in -cpu ${spec}`);
    [edx, ecx] = withFeatures(edx, ecx, [feature], m[1] !== '-' && m[3] !== 'off');
  }
  const lies = [...FEATURES].filter(([, f]) => !f.executed && (((f.word === FeatureWord.Edx1 ? edx : ecx) >>> f.bit) & 1) === 1).map(([n]) => n);
  if (lies.length > 0) {
    throw new CpuModelError(`-cpu ${spec} advertises ${lies.join(', ')}, which btvm does not execute yet (remove them with ${lies.map((n) => '-' + n).join(',')})`);
  }
  return new CpuModel(spec, edx, ecx);
}
