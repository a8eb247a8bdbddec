/**
 * The CPU model: what CPUID tells the guest, and so what the translator must
 * execute. Chosen with `-cpu NAME[,+feature|-feature...]` as in QEMU.
 *
 * The tables are QEMU's default i386 CPU model ("qemu32", TCG), read by a
 * Multiboot kernel executing cpuid under qemu-system-i386 7.2
 * (test/system/kernels/cpuid.asm; its QEMU transcript is
 * test/system/kernels/cpuid.expected and the cpuid test compares the qemu32
 * model against it). Family 6 model 6 stepping 3, "GenuineIntel",
 * "QEMU Virtual CPU version 2.5+"; features FPU DE PSE TSC MSR PAE MCE CX8
 * APIC SEP PGE CMOV PAT MMX FXSR SSE SSE2, SSE3, and the hypervisor bit.
 *
 * A model tells the truth: it advertises only what btvm executes, and the
 * lifter raises #UD for an instruction whose feature the model lacks, as
 * that CPU would (lift/feature-gates.ts). btvm does not execute PAE paging,
 * so the models built on this table (cpu-features.ts: `qemu32`, the
 * default, and `btvm32`, which also leaves out the SIMD extensions) clear
 * that bit. Every
 * model shares the page walker's reserved-bit rule: none has PSE-36, so a
 * 4 MiB PDE reserves bits 21:13 (mmu/page-walk.ts reads the qemu32 table).
 *
 * Leaves above the basic or extended maximum return the highest basic leaf
 * (with the caller's ECX), as Intel CPUs and QEMU do; 0x40000000 is TCG's
 * hypervisor leaf.
 */
type Leaf = readonly [eax: number, ebx: number, ecx: number, edx: number];

const MAX_BASIC = 4;
const MAX_EXTENDED = 0x80000004;

const BASIC: Readonly<Record<number, Leaf>> = {
  0: [0x00000004, 0x756e6547, 0x6c65746e, 0x49656e69],
  1: [0x00000663, 0x00000800, 0x80000001, 0x0781abfd],
  2: [0x00000001, 0x00000000, 0x0000004d, 0x002c307d],
  3: [0, 0, 0, 0],
};

/** Leaf 4: deterministic cache parameters, one entry per subleaf (L1d, L1i, L2, L3), then none. */
const CACHE_SUBLEAVES: readonly Leaf[] = [
  [0x00000121, 0x01c0003f, 0x0000003f, 0x00000001],
  [0x00000122, 0x01c0003f, 0x0000003f, 0x00000001],
  [0x00000143, 0x03c0003f, 0x00000fff, 0x00000001],
  [0x00000163, 0x03c0003f, 0x00003fff, 0x00000006],
];

const EXTENDED: Readonly<Record<number, Leaf>> = {
  0x80000000: [0x80000004, 0x756e6547, 0x6c65746e, 0x49656e69],
  0x80000001: [0x00000663, 0, 0, 0],
  0x80000002: [0x554d4551, 0x72695620, 0x6c617574, 0x55504320],
  0x80000003: [0x72657620, 0x6e6f6973, 0x352e3220, 0x0000002b],
  0x80000004: [0, 0, 0, 0],
};

const HYPERVISOR: Readonly<Record<number, Leaf>> = {
  0x40000000: [0x40000001, 0x54474354, 0x43544743, 0x47435447], // "TCGTCGTCGTCG"
  0x40000001: [0, 0, 0, 0],
};

const NONE: Leaf = [0, 0, 0, 0];

/** CPUID's answer for `leaf`/`subleaf` on the qemu32 model. */
export function cpuidLeaf(leaf: number, subleaf: number): Leaf {
  leaf >>>= 0;
  if (leaf >= 0x40000000 && leaf <= 0x4fffffff) return HYPERVISOR[leaf] ?? NONE;
  if (leaf >= 0x80000000) {
    if (leaf <= MAX_EXTENDED) return EXTENDED[leaf]!;
    leaf = MAX_BASIC;
  } else if (leaf > MAX_BASIC) {
    leaf = MAX_BASIC;
  }
  if (leaf === 4) return CACHE_SUBLEAVES[subleaf >>> 0] ?? NONE;
  return BASIC[leaf]!;
}
