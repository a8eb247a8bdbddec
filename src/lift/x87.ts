/**
 * x87 instructions (D8–DF, fwait): each becomes one `fpu` call into the
 * monitor, which runs it in the x87 unit (vmm/x87.ts, src/fpu/unit/).
 *
 * The lifter's part is what only translation knows: the opcode byte and
 * ModRM (packed by the unit's x87Op, a constant of the translation), and,
 * for a memory form, the operand's linear address and its offset in the
 * segment (FDP), computed by generated code with the segment checks every
 * memory operand gets (limit for the operand's whole size; a store's
 * segment must be writable). Paging is the unit's: it reads and writes
 * through the monitor's linear memory, which raises #PF before anything
 * changed.
 *
 * A 9B byte decoded with its instruction (`9b d9 /7` = fstcw) is a separate
 * fwait call first, so a pending exception faults with EIP at the 9B.
 * fxsave and fxrstor (class fpu in isa/) go to the SIMD unit instead
 * (lift/simd.ts): they save and restore the SSE state too.
 */
import type { DecodedInsn, MemOperand } from '../decoder/insn.js';
import { x87Op } from '../fpu/unit/dispatch.js';
import { FWAIT_OP } from '../vmm-interface/interface.js';
import type { LiftContext } from './context.js';
import { memAddress, memOffset } from './operands.js';
import { callVmm } from './system.js';

const UD = 6;
const FWAIT = 0x9b;
/** Legacy prefixes that may stand between 9B and the opcode. */
const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);
/** Mnemonics whose memory operand is written, not read. */
const STORES = new Set(['fst', 'fstp', 'fist', 'fistp', 'fisttp', 'fbstp', 'fnstenv', 'fnstenvw', 'fnstcw', 'fnsave', 'fnsavew', 'fnstsw',
  'fstenv', 'fstenvw', 'fstcw', 'fsave', 'fsavew', 'fstsw']);

export function liftX87(ctx: LiftContext, insn: DecodedInsn, bytes: Uint8Array): void {
  let i = 0;
  while (i < insn.length && (bytes[i] === FWAIT || PREFIXES.has(bytes[i]!))) i++;
  const opcode = bytes[i]!;
  if (i >= insn.length) {
    // fwait alone.
    callVmm(ctx, 'fpu', [FWAIT_OP, 0, 0]);
    return;
  }
  if (opcode < 0xd8 || opcode > 0xdf) return ctx.raise(UD);
  if (insn.fwait) callVmm(ctx, 'fpu', [FWAIT_OP, 0, 0]);
  const m = insn.operands.find((o): o is MemOperand => o.kind === 'mem');
  if (m === undefined) {
    callVmm(ctx, 'fpu', [x87Op(opcode, insn.modrm, insn.opSize, 0), 0, 0]);
    return;
  }
  const la = memAddress(ctx, m, m.size, STORES.has(insn.mnemonic) ? 'write' : 'read');
  callVmm(ctx, 'fpu', [x87Op(opcode, insn.modrm, insn.opSize, m.seg), la, memOffset(ctx, m)]);
}
