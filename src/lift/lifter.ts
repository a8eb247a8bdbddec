/**
 * liftBlock: guest code at an EIP → one IR Block (the lifter's entry point,
 * called by the translator before the passes and codegen).
 *
 * It fetches through a CodeFetcher, decodes one instruction at a time
 * (src/decoder), looks its mnemonic up in the registry and lets that lifter
 * emit IR into a LiftContext, which holds back each instruction's state
 * writes until its faults are out (see context.ts).
 *
 * Where a block ends:
 *   - after a control instruction: its own exit (jump, branch, indirect);
 *   - after an emulate whose routine may change mode or control flow
 *     (system.ts ROUTINES_ENDING_BLOCK): `dispatch next`;
 *   - at maxInsns (default 64) or when the next instruction would start on
 *     another 4 KiB page than the block's first byte: `jump next`;
 *   - single-step: after one instruction, with `dispatch next` unless the
 *     instruction is a control transfer (which keeps its own exit);
 *   - a rep-prefixed string instruction is always a block of its own (one
 *     iteration, branching back to itself: string.ts), so a block reaching
 *     one ends just before it;
 *   - an instruction whose bytes cannot all be fetched ends the block before
 *     it. If it is the first one, the block is only `raise #14` (no error
 *     code, cond null): the CPU/VMM computes CR2 (the first unreadable linear
 *     address at or after CS.base + EIP) and the page-fault error code from
 *     its own paging state, which the lifter does not know.
 * Undefined encodings raise #UD (except D6, salc, which objdump and so the
 * decoder call undefined but CPUs execute), over-long ones (> 15 bytes)
 * #GP(0); x87 instructions become fpu calls (x87.ts), SIMD ones (with
 * fxsave and fxrstor) simd calls (simd.ts).
 * Under a CS shorter than 4 GiB (src/state/code-limit.ts) an instruction
 * whose bytes reach beyond the limit is #GP(0) instead (SDM vol. 3 §5.3),
 * decided here when the mode word holds the limit; control.ts checks near
 * targets.
 */
import { decode, DECODE_WINDOW, MODE16, MODE32 } from '../decoder/decode.js';
import { formatInsn, insnToString } from '../decoder/disasm.js';
import type { DecodedInsn } from '../decoder/insn.js';
import type { Block, Exit } from '../ir/types.js';
import { DEFAULT_CPU_MODEL, parseCpuModel } from '../state/cpu-features.js';
import type { CodeFetcher } from './code-fetcher.js';
import { LiftContext } from './context.js';
import type { LiftMode } from './lift-mode.js';
import { gateFor } from './feature-gates.js';
import { liftSalc } from './flags-ops.js';
import { lifterFor } from './registry.js';
import { liftSimd } from './simd.js';
import { liftX87 } from './x87.js';
import { REPEATABLE_STRING_OPS } from './string.js';

export interface LiftOptions {
  /** Instructions per block at most (default 64). */
  readonly maxInsns?: number;
  /** One instruction per block. */
  readonly singleStep?: boolean;
}

export const DEFAULT_MAX_INSNS = 64;
const PF = 14, UD = 6, GP = 13;
const SALC = 0xd6;
const DEFAULT_MODEL = parseCpuModel(DEFAULT_CPU_MODEL);
const PAGE_MASK = ~0xfff;

/** An 'ok' instruction no lifter handles: a hole in the registry (the coverage test guards against it). */
export class UnliftableInstructionError extends Error {
  constructor(readonly address: number, readonly bytes: Uint8Array, readonly mnemonic: string) {
    super(`no lifter for '${mnemonic}' at 0x${(address >>> 0).toString(16)} (bytes ${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')})`);
    this.name = 'UnliftableInstructionError';
  }
}

function isRepString(insn: DecodedInsn): boolean {
  return insn.rep !== 0 && REPEATABLE_STRING_OPS.has(insn.mnemonic);
}

export function liftBlock(code: CodeFetcher, address: number, mode: LiftMode, options: LiftOptions = {}): Block {
  const maxInsns = options.singleStep === true ? 1 : Math.max(1, options.maxInsns ?? DEFAULT_MAX_INSNS);
  const csBase = mode.csBase ?? 0;
  const decodeMode = mode.codeSize === 4 ? MODE32 : MODE16;
  const ctx = new LiftContext(address, mode);
  // 16 fetched bytes, zero-padded to the decoder's window so decode() takes its fast path (DECODE_WINDOW).
  const buf = new Uint8Array(DECODE_WINDOW);
  const fetched = buf.subarray(0, 16);
  const firstPage = ((csBase + address) & PAGE_MASK) >>> 0;
  let eip = address >>> 0;
  let count = 0;

  for (;;) {
    const n = code.read((csBase + eip) >>> 0, fetched);
    const bytes = n >= fetched.length ? buf : buf.subarray(0, n);
    const insn = n === 0 ? null : decode(bytes, 0, eip, decodeMode);
    if (insn === null || insn.status === 'truncated') {
      if (count > 0) return ctx.b.finish({ kind: 'jump', target: eip });
      ctx.b.insn(eip, n, '(unreadable)');
      // Bytes are fetched in order: an unreadable byte beyond CS's limit is #GP, not #PF.
      ctx.checkFetch(eip + n + 1);
      if (!endsInRaise(ctx)) ctx.b.raise(PF);
      return ctx.b.finish({ kind: 'dispatch', next: eip });
    }
    if (count > 0 && isRepString(insn)) return ctx.b.finish({ kind: 'jump', target: eip });

    const text = insn.status === 'ok' ? insnToString(formatInsn(insn, bytes, 0)) : '(bad)';
    ctx.beginInsn(insn, text);
    ctx.checkFetch(eip + insn.length);
    if (!endsInRaise(ctx)) liftOne(ctx, insn, bytes);
    ctx.endInsn();
    count++;

    if (endsInRaise(ctx)) return ctx.b.finish({ kind: 'dispatch', next: ctx.next });
    if (ctx.exit !== null) return ctx.b.finish(ctx.exit);
    if (ctx.endBlock) return ctx.b.finish({ kind: 'dispatch', next: ctx.next });
    eip = ctx.next;
    const exit: Exit | null = options.singleStep === true
      ? { kind: 'dispatch', next: eip }
      : count >= maxInsns || (((csBase + eip) & PAGE_MASK) >>> 0) !== firstPage ? { kind: 'jump', target: eip } : null;
    if (exit !== null) return ctx.b.finish(exit);
  }
}

/** The instruction was lifted as an unconditional raise (#UD, #GP, aam 0…): nothing after it runs. */
function endsInRaise(ctx: LiftContext): boolean {
  const last = ctx.b.ops[ctx.b.ops.length - 1];
  return last !== undefined && last.op === 'raise' && last.cond === null;
}

/** D6 (salc): undefined for the decoder, as objdump calls it "(bad)", but executed by every IA-32 CPU (flags-ops.ts). */
function isSalc(insn: DecodedInsn, bytes: Uint8Array): boolean {
  return bytes[insn.prefixLen] === SALC && insn.length === insn.prefixLen + 1 && !insn.lock;
}

function liftOne(ctx: LiftContext, insn: DecodedInsn, bytes: Uint8Array): void {
  if (insn.status === 'invalid') return isSalc(insn, bytes) ? liftSalc(ctx) : ctx.raise(UD);
  if (insn.status === 'too-long') return ctx.raise(GP, 0);
  const model = ctx.mode.model ?? DEFAULT_MODEL;
  if (insn.cls === 'simd' || insn.mnemonic === 'fxsave' || insn.mnemonic === 'fxrstor') return liftSimd(ctx, insn, bytes, model);
  const mnemonic = gateFor(model, insn.mnemonic);
  if (mnemonic === 'ud') return ctx.raise(UD);
  if (insn.cls === 'fpu') return liftX87(ctx, insn, bytes);
  const entry = lifterFor(mnemonic);
  if (entry === undefined) throw new UnliftableInstructionError(insn.address, bytes.slice(0, insn.length), insn.mnemonic);
  entry.lift(ctx, insn);
}
