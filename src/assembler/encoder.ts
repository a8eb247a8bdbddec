/**
 * One instruction → bytes, by searching the isa/ forms.
 *
 * For every form the mnemonic can take (mnemonics.ts) and every operand
 * size it allows, the written operands are matched against the form's
 * specifiers (operand-match.ts); each match is encoded in full, and the
 * shortest encoding wins. That one rule reproduces most of nasm's choices
 * (83 /0 ib for small immediates, 05 id for eAX, a1 moffs, 40+r inc, d1 for
 * a shift by one, eb for a short jump). Where lengths tie, the order below
 * settles it as nasm does: a sign-extended byte immediate first, then the
 * operand order nasm's own tables list first (xchg reg,reg puts the first
 * register in ModRM.reg), then isa/ row order (89 before 8b, 80 before its
 * alias 82).
 *
 * Prefix order follows nasm: fwait, lock/rep as written, segment, 66, 67,
 * then the form's mandatory prefix and opcode bytes.
 */
import type { DecoderForm } from '../decoder/form.js';
import { MAP_0F, MAP_0F38, MAP_0F3A, MOD_MEM, MOD_REG, PFX_66, PFX_9B, PFX_F2, PFX_F3 } from '../decoder/form.js';
import { OpKind, type OperandSpec } from '../decoder/operand-specs.js';
import { encodeEffectiveAddress } from './effective-address.js';
import { StatementError } from './errors.js';
import { evalExpr, type SymbolLookup } from './expr.js';
import { hasSizePartner } from './form-index.js';
import { resolveMnemonic, type MnemonicPlan } from './mnemonics.js';
import { matchOperand, newDraft, type Draft, type Resolved } from './operand-match.js';
import { lookupRegister } from './registers.js';
import type { InsnAst } from './syntax.js';

export interface InsnContext {
  /** Default operand and address size (BITS 16 → 2, BITS 32 → 4). */
  readonly bits: 2 | 4;
  readonly address: number;
  readonly env: SymbolLookup;
  /** The last pass: range errors are real now. */
  readonly final: boolean;
  /** Sticky: this jump needed its near form in an earlier pass (keeps the passes from oscillating). */
  jumpGrown: boolean;
}

const SEG_BYTES = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];
const ST0 = lookupRegister('st0')!;
const ST1 = lookupRegister('st1')!;

interface Prefixes {
  readonly written: number[];
  seg: number;
  osz: 0 | 2 | 4;
  asz: 0 | 2 | 4;
}

interface Candidate {
  readonly bytes: number[];
  readonly form: DecoderForm;
  readonly draft: Draft;
  readonly key: readonly number[];
}

function readPrefixes(insn: InsnAst): Prefixes {
  const p: Prefixes = { written: [], seg: -1, osz: 0, asz: 0 };
  for (const { word, col } of insn.prefixes) {
    switch (word) {
      case 'lock': p.written.push(0xf0); break;
      case 'rep': case 'repe': case 'repz': p.written.push(0xf3); break;
      case 'repne': case 'repnz': p.written.push(0xf2); break;
      case 'o16': case 'o32': p.osz = word === 'o16' ? 2 : 4; break;
      case 'a16': case 'a32': p.asz = word === 'a16' ? 2 : 4; break;
      default: {
        const s = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'].indexOf(word);
        if (s < 0) throw new StatementError(`unknown prefix '${word}'`, col);
        p.seg = s;
      }
    }
  }
  return p;
}

function resolveOperands(insn: InsnAst, ctx: InsnContext, asz: 2 | 4): Resolved[] {
  return insn.operands.map((o): Resolved => {
    try {
      switch (o.k) {
        case 'reg': return { k: 'reg', reg: o.reg };
        case 'mem': return {
          k: 'mem', size: o.size, far: o.far, seg: o.seg, forcedDisp: o.dispSize,
          ea: encodeEffectiveAddress(o.expr, ctx.env, asz, o.nosplit, o.dispSize),
        };
        case 'imm': return { k: 'imm', val: evalExpr(o.expr, ctx.env), size: o.size, strict: o.strict, jump: o.jump };
        case 'far': return { k: 'far', sel: evalExpr(o.sel, ctx.env), off: evalExpr(o.off, ctx.env), size: o.size };
      }
    } catch (e) {
      if (e instanceof StatementError && e.column === 0) throw new StatementError(e.message, o.col);
      throw e;
    }
  });
}

/** Operand lists to try, each with a tie-break penalty (nasm's table order for commutative forms). */
function operandVariants(plan: MnemonicPlan, ops: Resolved[]): { ops: Resolved[]; penalty: number }[] {
  const name = plan.forms[0]?.mnemonic;
  const out = [{ ops, penalty: 0 }];
  if (ops.length === 2 && (name === 'xchg' || name === 'test')) {
    // nasm lists `xchg reg,rm` before `xchg rm,reg`, and `test rm,reg` before `test reg,rm`.
    out.push({ ops: [ops[1]!, ops[0]!], penalty: name === 'xchg' ? -1 : 1 });
  }
  if (name === 'imul' && ops.length === 2 && ops[1]!.k === 'imm') out.push({ ops: [ops[0]!, ops[0]!, ops[1]!], penalty: 0 });
  if ((name === 'aam' || name === 'aad') && ops.length === 0) {
    out.push({ ops: [{ k: 'imm', val: { v: 10n, rel: 0, known: true }, size: 0, strict: false, jump: '' }], penalty: 0 });
  }
  return out;
}

/**
 * Tie-break between the two register forms of an x87 arithmetic op
 * (d8 `fadd st0,sti` and dc `fadd sti,st0`): nasm's tables try `sti,st0`
 * first, so `fadd st0,st0` is dc c0 — but a one-operand `fadd st1` means
 * st0 += st1, the d8 form.
 */
function x87Order(form: DecoderForm, filled: boolean): number {
  if (form.cls !== 'fpu' || form.ops.length !== 2) return 0;
  const stiFirst = form.ops[0]!.kind === OpKind.STi;
  return stiFirst === filled ? 1 : 0;
}

/** x87 operands nasm lets you leave out: `fadd st1` = fadd st0,st1; `faddp` = faddp st1,st0; `fxch` = fxch st1. */
function fillX87(specs: readonly OperandSpec[], ops: Resolved[]): Resolved[] | null {
  if (ops.length >= specs.length) return null;
  const isST = (s: OperandSpec): boolean => s.kind === OpKind.Fixed && s.cls === 'st';
  if (!specs.every((s) => isST(s) || s.kind === OpKind.STi)) return null;
  if (ops.length === 0) return specs.map((s): Resolved => ({ k: 'reg', reg: isST(s) ? ST0 : ST1 }));
  if (ops.length === 1 && specs.length === 2) return specs.map((s): Resolved => (isST(s) ? { k: 'reg', reg: ST0 } : ops[0]!));
  return null;
}

/** Encodings nasm never picks although isa/ lists them under the same name (hint nops other than 0f 1f). */
function nasmRank(f: DecoderForm): number {
  return f.mnemonic === 'nop' && f.map === MAP_0F && f.opcode !== 0x1f ? 1 : 0;
}

function pushLE(out: number[], v: bigint, size: number): void {
  const u = BigInt.asUintN(64, v);
  for (let i = 0; i < size; i++) out.push(Number((u >> BigInt(8 * i)) & 0xffn));
}

export function encodeInstruction(insn: InsnAst, ctx: InsnContext): number[] {
  const pre = readPrefixes(insn);
  const plan = resolveMnemonic(insn.mnemonic, insn.operands.length);
  if (plan === null || plan.forms.length === 0) throw new StatementError(`unknown instruction '${insn.mnemonic}'`, insn.col);
  if (plan.implicit && insn.operands.length > 0) throw new StatementError(`'${insn.mnemonic}' takes no operands`, insn.col);
  // An explicit o16/o32 beats the size a name implies (`o16 movsd` is 66 a5, as nasm has it, with a warning there).
  const forcedOsz = pre.osz || plan.osz;
  const ops = resolveOperands(insn, ctx, pre.asz || ctx.bits);
  const hasNearJz = plan.forms.some((f) => f.ops.some((s) => s.kind === OpKind.J && s.size < 0));
  const cands: Candidate[] = [];
  let rangeError = false;
  for (const variant of operandVariants(plan, ops)) {
    for (const form of plan.forms) {
      let written = variant.ops;
      const specs = plan.implicit ? [] : form.ops;
      const filled = written.length !== specs.length;
      if (filled) {
        const full = form.cls === 'fpu' ? fillX87(specs, written) : null;
        if (full === null) continue;
        written = full;
      }
      const sizeFree = form.osz !== 0 && !hasSizePartner(form);
      const oszList: (2 | 4)[] = form.usesOpSize && !sizeFree ? [2, 4] : [forcedOsz || ctx.bits];
      for (const osz of oszList) {
        if (form.osz !== 0 && !sizeFree && form.osz !== osz) continue;
        const d = newDraft();
        const farMemory = form.mnemonic === 'call' || form.mnemonic === 'jmp';
        let ok = true;
        for (let i = 0; i < specs.length && ok; i++) ok = matchOperand(specs[i]!, written[i]!, { osz, index: i, farMemory }, d);
        if (!ok) continue;
        if (d.pinned ? forcedOsz !== 0 && forcedOsz !== osz : osz !== (forcedOsz || ctx.bits)) continue;
        if (d.jump !== null && d.jump.size === 1 && !d.jump.short && ctx.jumpGrown && hasNearJz) continue;
        const bytes = emit(form, osz, d, pre, forcedOsz, ctx, hasNearJz);
        if (bytes === null) {
          rangeError = true;
          continue;
        }
        cands.push({ bytes, form, draft: d, key: [bytes.length, d.usesIbs ? 0 : 1, variant.penalty, x87Order(form, filled), nasmRank(form), form.id] });
      }
    }
  }
  if (cands.length === 0) {
    if (rangeError) throw new StatementError('short jump is out of range', insn.col);
    throw new StatementError(`invalid combination of opcode and operands for '${insn.mnemonic}'`, insn.col);
  }
  const sizes = new Set(cands.filter((c) => c.draft.unsizedMem !== 0).map((c) => c.draft.unsizedMem));
  if (sizes.size > 1) throw new StatementError('operation size not specified', insn.col);
  let best = cands[0]!;
  for (const c of cands) if (compareKeys(c.key, best.key) < 0) best = c;
  if (best.draft.jump !== null && best.draft.jump.size !== 1 && hasNearJz) ctx.jumpGrown = true;
  return best.bytes;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Bytes of one candidate encoding, or null when a (non-`short`) byte jump cannot reach. */
function emit(
  form: DecoderForm, osz: 2 | 4, d: Draft, pre: Prefixes, forcedOsz: number, ctx: InsnContext, hasNearJz: boolean,
): number[] | null {
  const mem = d.ea ?? d.moffs;
  let asz: 2 | 4 = mem !== null ? mem.addrSize : (pre.asz || ctx.bits);
  let need67 = false;
  if (form.asz !== 0) {
    if (mem !== null && mem.addrSize !== form.asz) return null;
    asz = form.asz;
    // nasm emits 67 when either the name (jcxz under BITS 32) or an explicit a16/a32 differs from BITS:
    // `a32 jcxz` is 67 e3 under both BITS 16 and BITS 32.
    need67 = pre.asz !== 0 && pre.asz !== ctx.bits;
  }
  if (form.hasModrm) {
    const hasRmOperand = d.ea !== null || d.rmReg >= 0;
    if (form.mod === MOD_MEM && d.ea === null) return null;
    if (form.mod === MOD_REG && d.ea !== null) return null;
    if (!hasRmOperand && form.mod === MOD_MEM) return null;
  }
  const out: number[] = [];
  if (form.pfx === PFX_9B) out.push(0x9b);
  out.push(...pre.written);
  const seg = d.seg >= 0 ? d.seg : pre.seg;
  if (seg >= 0) out.push(SEG_BYTES[seg]!);
  const usesOsz = form.usesOpSize && !(form.osz !== 0 && !hasSizePartner(form));
  if ((usesOsz ? osz : forcedOsz || ctx.bits) !== ctx.bits) out.push(0x66);
  if (asz !== ctx.bits || need67) out.push(0x67);
  if (form.pfx === PFX_66) out.push(0x66);
  else if (form.pfx === PFX_F3) out.push(0xf3);
  else if (form.pfx === PFX_F2) out.push(0xf2);
  if (form.map !== 0) out.push(0x0f);
  if (form.map === MAP_0F38) out.push(0x38);
  if (form.map === MAP_0F3A) out.push(0x3a);
  out.push(form.opcode + (d.plusR >= 0 ? d.plusR : 0));
  if (form.hasModrm) {
    const reg = form.reg >= 0 ? form.reg : d.regField >= 0 ? d.regField : 0;
    if (d.ea !== null && !form.ignoresMod) {
      const ea = d.ea;
      out.push((ea.mod << 6) | (reg << 3) | ea.rm);
      if (ea.sib >= 0) out.push(ea.sib);
      pushLE(out, ea.disp.v, ea.dispSize);
    } else {
      const rm = form.rm >= 0 ? form.rm : d.rmReg >= 0 ? d.rmReg : 0;
      out.push(0xc0 | (reg << 3) | rm);
    }
  }
  if (d.moffs !== null) pushLE(out, d.moffs.disp.v, d.moffs.addrSize);
  for (const imm of d.imms) pushLE(out, imm.value, imm.size);
  if (d.jump !== null) {
    const len = out.length + d.jump.size;
    const t = d.jump.target;
    const disp = t.known ? t.v - BigInt(ctx.address + len) : 0n;
    const wrapped = BigInt.asIntN(osz * 8, disp);
    if (d.jump.size === 1 && (wrapped < -128n || wrapped > 127n)) {
      // A byte jump with a near alternative just loses to it; `short`, loop and jecxz have none.
      if (!d.jump.short && hasNearJz) return null;
      if (ctx.final) throw new StatementError(`short jump is out of range (${wrapped} bytes)`);
    }
    pushLE(out, wrapped, d.jump.size);
  }
  return out;
}
