/**
 * The translation mode word: every bit of CPU state a translation depends on,
 * packed into one small integer.
 *
 * A region is compiled for one mode and the translation cache keys regions by
 * (physical entry address, mode word), so a region is only ever run under
 * the assumptions it was compiled with: 16- vs 32-bit code, the stack size,
 * whether all segment bases are zero (the lifter then omits them), paging,
 * the guest's CPL, single-step translation (one instruction per block,
 * used near an exact --max-insns limit and for `--singlestep`), and per
 * segment register what a memory access through it must check
 * (segment-access.ts: nothing for a flat segment, so flat guests pay nothing),
 * and CS's limit for code fetch and near branch targets (code-limit.ts:
 * nothing when CS spans 4 GiB).
 *
 * The dispatcher recomputes the word only when something may have changed
 * it (an exit through the monitor, an interrupt); chained transitions keep it.
 */
import { CODE_LIMIT_DYNAMIC, codeLimitField, codeLimitOfField } from './code-limit.js';
import { describeSegmentAccess, segmentAccessField } from './segment-access.js';
import { CpuState, SEG_CS, SEG_GS, SEG_SS } from './state.js';

export const MODE_CODE32 = 1 << 0;
export const MODE_STACK32 = 1 << 1;
export const MODE_FLAT = 1 << 2;
export const MODE_PAGING = 1 << 3;
export const MODE_PROTECTED = 1 << 4;
/** Bits 5–6: CPL. */
export const MODE_CPL_SHIFT = 5;
export const MODE_SINGLE_STEP = 1 << 7;
/**
 * Set only in the mode word of a region that makes no access through GS:
 * its GS class bits are zero and it runs under every GS class (gsSharedMode).
 * Never set in a CPU's mode word (modeOf).
 */
export const MODE_ANY_GS = 1 << 8;
/** Bits 24–30: CS's limit for code fetch (code-limit.ts): 0 for 4 GiB, else an interned limit or dynamic. */
export const MODE_CODE_LIMIT_SHIFT = 24;
export const MODE_CODE_LIMIT = CODE_LIMIT_DYNAMIC << MODE_CODE_LIMIT_SHIFT;

/** The code-limit field of a mode word (0: CS spans 4 GiB, nothing to check). */
export const codeLimitFieldOf = (mode: number): number => (mode & MODE_CODE_LIMIT) >>> MODE_CODE_LIMIT_SHIFT;
/** Bits 12–23: the segment access class (segment-access.ts) of ES CS SS DS FS GS, two bits each. */
export const MODE_SEG_SHIFT = 12;
export const MODE_SEG_MASK = 0xfff << MODE_SEG_SHIFT;

/** The access class of segment register `seg` in a mode word. */
export const segClassOf = (mode: number, seg: number): number => (mode >>> (MODE_SEG_SHIFT + 2 * seg)) & 3;

const GS_CLASS_BITS = 3 << (MODE_SEG_SHIFT + 2 * SEG_GS);

/**
 * The mode word under which a region that never accesses memory through GS
 * is cached, for a CPU in `mode`: the GS class dropped, MODE_ANY_GS set.
 * Linux keeps the user's TLS selector in GS while in the kernel (or the
 * null selector, for kernel threads and before a program sets its TLS), and
 * the kernel itself never uses GS; keyed by the full mode, each kernel
 * region was translated, promoted and optimised by V8 once per GS class
 * (8,902 kernel entries twice in a boot with 20 fork/exec round trips, 18%
 * of all translations). The dispatcher looks a region up under both words.
 */
export const gsSharedMode = (mode: number): number => (mode & ~GS_CLASS_BITS) | MODE_ANY_GS;

const CR0_PE = 1;
const CR0_PG = 0x8000_0000;
/** D/B bit of a descriptor's access rights as CpuState.segAttr stores them (bits 8–23 like LAR). */
const ATTR_DB = 1 << 22;

/** The mode word for the CPU's current state (without the single-step bit). */
export function modeOf(cpu: CpuState): number {
  let m = 0;
  if (cpu.codeSize === 4) m |= MODE_CODE32;
  if (stackSizeOf(cpu) === 4) m |= MODE_STACK32;
  const b = cpu.segBase;
  if ((b[0]! | b[1]! | b[2]! | b[3]! | b[4]! | b[5]!) === 0) m |= MODE_FLAT;
  if ((cpu.cr0 & CR0_PG) !== 0) m |= MODE_PAGING;
  if ((cpu.cr0 & CR0_PE) !== 0) m |= MODE_PROTECTED;
  m |= (cpu.cpl & 3) << MODE_CPL_SHIFT;
  m |= segmentAccessField(cpu) << MODE_SEG_SHIFT;
  // Unfilled caches (attr 0) check nothing, as segmentAccessField.
  const csLimit = cpu.segLimit[SEG_CS]!;
  if (csLimit !== 0xffffffff && cpu.segAttr[SEG_CS] !== 0) m |= codeLimitField(csLimit) << MODE_CODE_LIMIT_SHIFT;
  return m;
}

/** SS.B: 32-bit stack when the stack segment's D/B bit is set (in real mode: the code size). */
export function stackSizeOf(cpu: CpuState): 2 | 4 {
  if ((cpu.cr0 & CR0_PE) === 0) return cpu.codeSize;
  const attr = cpu.segAttr[SEG_SS]!;
  // A loader that never filled the descriptor caches leaves attr 0: follow the code size.
  if (attr === 0) return cpu.codeSize;
  return (attr & ATTR_DB) !== 0 ? 4 : 2;
}

/** Linear base of CS, where EIP-relative code is fetched. */
export function csBaseOf(cpu: CpuState): number {
  return cpu.segBase[SEG_CS]! >>> 0;
}

export function describeMode(mode: number): string {
  const parts = [
    mode & MODE_CODE32 ? 'code32' : 'code16',
    mode & MODE_STACK32 ? 'stack32' : 'stack16',
  ];
  if (mode & MODE_FLAT) parts.push('flat');
  if (mode & MODE_PAGING) parts.push('paging');
  parts.push(mode & MODE_PROTECTED ? 'pm' : 'real');
  parts.push('cpl' + ((mode >>> MODE_CPL_SHIFT) & 3));
  if (mode & MODE_SINGLE_STEP) parts.push('step');
  const code = codeLimitFieldOf(mode);
  if (code === CODE_LIMIT_DYNAMIC) parts.push('cslimit=dynamic');
  else if (code !== 0) parts.push('cslimit=0x' + codeLimitOfField(code).toString(16));
  const segs = describeSegmentAccess((mode & MODE_SEG_MASK) >>> MODE_SEG_SHIFT, (mode & MODE_ANY_GS) !== 0 ? 1 << SEG_GS : 0);
  if (segs !== '') parts.push(segs);
  return parts.join(',');
}
