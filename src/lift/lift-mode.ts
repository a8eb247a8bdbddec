/**
 * LiftMode: what the lifter must know about the CPU mode to translate a
 * block, and nothing more. The translator builds it from CpuState (CS.D,
 * SS.B, the segment bases) and stamps `mode` (the cache's mode word, see
 * src/state/mode.ts) into the Block, so a block is only reused under the mode
 * it was lifted for.
 *
 * Addresses: blocks, instruction markers and exit targets are EIP values
 * (offsets in CS). Code is fetched at the linear address csBase + EIP. For
 * the flat protected-mode guests btvm targets csBase is 0 and the two agree.
 */
import type { CpuModel } from '../state/cpu-features.js';

export interface LiftMode {
  /** Default operand and address size of the code segment (CS.D): 4, or 2 for 16-bit code. */
  readonly codeSize: 2 | 4;
  /**
   * All six segment bases are known to be zero. The lifter then emits no
   * `get segBase` at all for memory operands (rather than leaving them to a
   * pass), which keeps dumps short. Because a segment load may end
   * flatness, the lifter ends the block after every segment load.
   */
  readonly flatSegments: boolean;
  /**
   * The mode word stamped into Block.mode. The lifter reads two things
   * from it: each segment register's access class (src/state/mode.ts
   * segClassOf), which decides the segment checks `LiftContext.linear`
   * emits, and the code-limit field (src/state/code-limit.ts), which decides
   * the CS-limit checks of fetch and near branch targets.
   */
  readonly mode: number;
  /** Stack address size (SS.B): 4 uses ESP, 2 uses SP. Defaults to codeSize. */
  readonly stackSize?: 2 | 4;
  /** Linear base of CS, for fetching. Defaults to 0. */
  readonly csBase?: number;
  /**
   * The CPU model: an instruction whose feature it lacks raises #UD (or,
   * for lzcnt/tzcnt, runs as the bsr/bsf it is on such a CPU). Constant
   * for a machine, so not part of the mode word. Defaults to btvm32.
   */
  readonly model?: CpuModel;
}
