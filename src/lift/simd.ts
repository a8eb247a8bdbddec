/**
 * SIMD instructions (MMX, SSE, SSE2, SSE3; isa/simd.isa, and fxsave/fxrstor
 * from 0F AE): each becomes one `simd` call into the monitor, which runs it
 * in the SIMD unit (vmm/simd.ts, src/simd/unit/).
 *
 * What only translation knows is resolved here, once: which form row the
 * encoding is (src/simd/unit/form-index.ts findForm: opcode map, mandatory
 * prefix — the last F2/F3 wins over 66, as the decoder's rows are chosen —
 * opcode, ModRM.reg for the group rows, register or memory form), packed
 * with ModRM into the op word (a); the memory operand's linear address (b),
 * computed by generated code with the segment checks for the bytes the form
 * reads or writes; the immediate byte (c). An encoding no row matches, or
 * whose CPUID feature the model lacks, is #UD here, as feature-gates.ts
 * does for the rest of the ISA. maskmovq/maskmovdqu store through DS:(E)DI
 * (segment override allowed), which is their memory operand here.
 */
import type { DecodedInsn, MemOperand } from '../decoder/insn.js';
import type { Value } from '../ir/types.js';
import { ALL_FORMS } from '../simd/all-forms.js';
import { Special, specialKind } from '../simd/moves/move-form.js';
import { OpMap, Prefix } from '../simd/simd-form.js';
import { findForm, simdOp } from '../simd/unit/form-index.js';
import type { CpuModel } from '../state/cpu-features.js';
import type { LiftContext, SegAccess } from './context.js';
import { memAddress } from './operands.js';
import { callVmm } from './system.js';

const UD = 6;
const EDI = 7, DS = 3;

/** The mandatory prefix the instruction's legacy prefixes select. */
function mandatoryPrefix(bytes: Uint8Array, prefixLen: number): Prefix {
  let has66 = false;
  let rep = 0;
  for (let i = 0; i < prefixLen; i++) {
    const b = bytes[i]!;
    if (b === 0x66) has66 = true;
    else if (b === 0xf2 || b === 0xf3) rep = b;
  }
  return rep === 0xf3 ? Prefix.PF3 : rep === 0xf2 ? Prefix.PF2 : has66 ? Prefix.P66 : Prefix.NONE;
}

/** Whether a form's memory operand is written (stores, stmxcsr, fxsave) or read. */
function memoryAccess(kind: number): SegAccess {
  return kind === Special.STORE || kind === Special.STMXCSR || kind === Special.FXSAVE ? 'write' : 'read';
}

export function liftSimd(ctx: LiftContext, insn: DecodedInsn, bytes: Uint8Array, model: CpuModel): void {
  let i = insn.prefixLen;
  if (bytes[i] !== 0x0f || insn.lock) return ctx.raise(UD);
  i++;
  let map = OpMap.M0F;
  if (bytes[i] === 0x38 || bytes[i] === 0x3a) {
    map = bytes[i] === 0x38 ? OpMap.M0F38 : OpMap.M0F3A;
    i++;
  }
  const fi = findForm(map, mandatoryPrefix(bytes, insn.prefixLen), bytes[i]!, insn.modrm);
  if (fi < 0) return ctx.raise(UD);
  const form = ALL_FORMS[fi]!;
  if (!model.has(form.feature)) return ctx.raise(UD);
  const kind = specialKind(form);
  const imm = form.imm ? insn.operands.find((o) => o.kind === 'imm')?.value ?? 0 : 0;
  let la: Value | number = 0;
  if (kind === Special.MASKMOV) {
    const seg = insn.segOverride >= 0 ? insn.segOverride : DS;
    const di = insn.addrSize === 2 ? ctx.op('and', ctx.reg32(EDI), 0xffff) : ctx.reg32(EDI);
    la = ctx.linear(seg, di, form.prefix === Prefix.P66 ? 16 : 8, 'write');
  } else if (insn.modrm >= 0 && insn.modrm < 0xc0) {
    const m = insn.operands.find((o): o is MemOperand => o.kind === 'mem');
    if (m === undefined) return ctx.bug(`${insn.mnemonic}: memory form without a memory operand`);
    la = memAddress(ctx, m, form.memBytes, memoryAccess(kind));
  }
  callVmm(ctx, 'simd', [simdOp(fi, insn.modrm < 0 ? 0 : insn.modrm), la, imm & 0xff]);
}
