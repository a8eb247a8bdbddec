/**
 * Templates for the forms that move ESP or EIP: pushes and pops, pusha/popa,
 * enter/leave, and every control transfer, placed so that a case always
 * ends: jumps only go forward (jcc/loop/jecxz over a short body, jmp over
 * nothing), calls come in call–ret pairs around a body, indirect calls and
 * jumps load a target inside the case. ESP stays known throughout.
 *
 * 16-bit transfers (callw, jmpw, retw, o16 jcc, call/jmp r/m16) truncate
 * EIP to 16 bits, and nothing is mapped below 64 KiB in the harness: they
 * end the case with #PF at the target on the host, which btvm's runner
 * reproduces (translated-runner.ts). Unconditional ones are written last.
 */
import type { DecoderForm } from '../../src/decoder/form.js';
import { CaseBuilder, ECX, ESP, EBP, R32, hexImm, regName } from './case-builder.js';
import { operandSize, type TemplateContext } from './form-templates.js';

/** Writes a body of data forms (never stack or control); supplied by the generator. */
export type BodyWriter = (b: CaseBuilder, count: number) => void;

const ABS = (label: string): string => `${label} - CASE_START + 0x20000000`;

const tokens = (f: DecoderForm): string[] => (f.operandText ? f.operandText.split(',') : []);

/** Whether `f` is placed by this file. */
export function isStackOrControl(f: DecoderForm): boolean {
  if (f.cls === 'control') return true;
  const m = f.mnemonic;
  return m === 'push' || m === 'pushw' || m === 'pop' || m.startsWith('pusha') || m.startsWith('popa') ||
    m === 'enter' || m === 'enterw' || m === 'leave' || m === 'leavew';
}

/** A 16-bit transfer that always leaves the case: only as the last line. */
export function alwaysEscapes(f: DecoderForm): boolean {
  return f.mnemonic === 'callw' || f.mnemonic === 'jmpw' || f.mnemonic === 'retw';
}

function pushes(b: CaseBuilder, f: DecoderForm, size: number): boolean {
  if (!b.stackFits(size)) return false;
  const t = tokens(f);
  const o16 = f.mnemonic === 'pushw';
  switch (t[0]) {
    case 'Ev': b.emit(`push ${b.mem(size)}`, f); break;
    case 'Zv': b.emit(`push ${regName(f.opcode & 7, size)}`, f); break;
    case 'Iz': b.emit(`push strict ${size === 2 ? 'word' : 'dword'} ${hexImm(b.rng.imm(size))}`, f); break;
    case 'Ibs': b.emit(`push ${o16 ? 'word' : 'dword'} byte ${b.rng.range(-128, 127)}`, f); break;
    default: {
      // push sreg: with a 32-bit operand the upper half of the slot is implementation-specific (SDM), so it is overwritten.
      b.emit(`${o16 ? 'o16 ' : ''}push ${t[0]!.toLowerCase()}`, f);
      if (!o16) b.emit(`mov word [esp+2], ${hexImm(b.rng.imm(2))}`, null);
    }
  }
  b.esp -= size;
  return true;
}

function pops(b: CaseBuilder, f: DecoderForm, size: number): boolean {
  if (!b.stackFits(-size)) return false;
  const t = tokens(f);
  if (t[0] === 'Ev') {
    b.emit(`pop ${b.mem(size)}`, f);
    b.esp += size;
    return true;
  }
  const r = f.opcode & 7;
  if (r === ESP) {
    // pop esp loads ESP from the stack: push the value it is to get first.
    if (!b.stackFits(4)) return false;
    const v = (b.esp + b.rng.range(-32, 32) * 4) >>> 0;
    if (size === 2) {
      b.emit(`push word ${hexImm(v & 0xffff)}`, null);
      b.emit('pop sp', f);
      b.esp = ((b.esp & ~0xffff) | (v & 0xffff)) >>> 0;
    } else {
      b.emit(`push strict dword ${hexImm(v)}`, null);
      b.emit('pop esp', f);
      b.esp = v;
    }
    return true;
  }
  b.emit(`pop ${regName(r, size)}`, f);
  b.esp += size;
  return true;
}

function enterLeave(b: CaseBuilder, f: DecoderForm): boolean {
  const o16 = f.mnemonic.endsWith('w');
  const w = o16 ? 2 : 4;
  if (f.mnemonic.startsWith('enter')) {
    const frame = b.rng.int(48);
    const level = b.rng.pick([0, 0, 1, 2, 3]);
    const need = w + (level > 0 ? level * w : 0) + frame;
    if (!b.stackFits(need)) return false;
    // level > 0 copies frame pointers from [ebp-w*i]: EBP must point into the data region.
    b.set(EBP, b.esp + b.rng.range(-256, 256));
    b.emit(`${o16 ? 'o16 ' : ''}enter ${hexImm(frame)}, ${level}`, f);
    b.esp -= need;
    return true;
  }
  // leave: ESP := EBP, then pop EBP. Load EBP so the new ESP is known and in bounds.
  const at = b.esp + b.rng.range(-32, 32) * 2;
  if (at < 0x1000e000 || at > 0x1000f700) return false;
  b.set(EBP, at);
  b.emit(`${o16 ? 'o16 ' : ''}leave`, f);
  b.esp = at + w;
  return true;
}

/** jcc / loop / jecxz over a short body; the body runs on one path only, so U joins both. */
function forwardConditional(b: CaseBuilder, f: DecoderForm, body: BodyWriter): void {
  const m = f.mnemonic;
  const near = tokens(f)[0] === 'Jz';
  const label = b.newLabel();
  if (m.startsWith('loop') || m === 'jecxz' || m === 'jcxz') {
    b.reserve(ECX);
    if (b.rng.chance(0.7)) b.set(ECX, b.rng.pick([0, 1, 2, 0x10000, 0x10001]));
  }
  b.defineFlags(f.flagsRead);
  const cx = (m.startsWith('loop') && b.rng.chance(0.3)) ? ', cx' : '';
  const o16 = !near && !m.startsWith('loop') && m !== 'jecxz' && m !== 'jcxz' && b.rng.chance(0.05);
  if (o16) {
    // o16 jcc: taken, it truncates EIP to 16 bits and leaves the case (#PF at the target on the host).
    b.escapeUndef |= b.undef;
    b.emit(`db 0x66, ${hexImm(0x70 + (f.opcode & 0xf))}, ${hexImm(b.rng.int(256))}`, f);
    return;
  }
  b.emit(`${m} ${near ? 'near ' : m.startsWith('j') && m !== 'jecxz' && m !== 'jcxz' ? 'short ' : ''}${label}${cx}`, f);
  b.clearReservations();
  const before = b.undef;
  body(b, b.rng.int(4));
  b.undef |= before;
  b.label(label);
}

function callPair(b: CaseBuilder, f: DecoderForm, body: BodyWriter, how: 'direct' | 'reg' | 'mem' | 'pop'): boolean {
  if (!b.stackFits(8)) return false;
  const fn = b.newLabel(), over = b.newLabel();
  if (how === 'pop') {
    b.emit(`call ${fn}`, f);
    b.label(fn);
    b.emit(`pop ${R32[b.dstReg(4)]}`, null);
    return true;
  }
  if (how === 'reg') {
    const r = b.dstReg(4);
    b.emit(`mov ${R32[r]}, ${ABS(fn)}`, null);
    b.emit(`call ${R32[r]}`, f);
  } else if (how === 'mem') {
    const m = b.mem(4);
    const addrText = m.replace(/^dword /, '');
    b.emit(`mov dword ${addrText}, ${ABS(fn)}`, null);
    b.emit(`call ${m}`, f);
  } else b.emit(`call ${b.rng.chance(0.5) ? '' : 'near '}${fn}`, f);
  // Text order: call, jmp over, fn: body, ret, over:. Execution runs the body before the jmp.
  const at = b.lines.length;
  b.esp -= 4;
  b.label(fn);
  b.clearReservations();
  body(b, b.rng.int(4));
  const popBytes = b.rng.chance(0.3) ? b.rng.pick([2, 4, 8, 12]) : 0;
  const retForm = popBytes ? 'ret ' + popBytes : 'ret';
  b.emit(retForm, null);
  b.esp += 4 + popBytes;
  const jmp = { text: `jmp short ${over}`, label: '', formId: -1, undefBefore: b.undef };
  b.lines.splice(at, 0, jmp);
  b.label(over);
  return true;
}

/** ret / ret imm16 as forms: a call pair whose ret is the form. */
function retPair(b: CaseBuilder, f: DecoderForm, body: BodyWriter): boolean {
  const imm = tokens(f)[0] === 'Iw' ? b.rng.pick([0, 2, 4, 8, 16]) : 0;
  if (!b.stackFits(8) || !b.stackFits(-imm)) return false;
  const fn = b.newLabel(), over = b.newLabel();
  b.emit(`call ${fn}`, null);
  const at = b.lines.length;
  b.esp -= 4;
  b.label(fn);
  b.clearReservations();
  body(b, b.rng.int(3));
  b.emit(tokens(f)[0] === 'Iw' ? `ret ${imm}` : 'ret', f);
  b.esp += 4 + imm;
  b.lines.splice(at, 0, { text: `jmp short ${over}`, label: '', formId: -1, undefBefore: b.undef });
  b.label(over);
  return true;
}

/** Transfers that truncate EIP to 16 bits: the last line of a case. */
function escape(b: CaseBuilder, f: DecoderForm): boolean {
  const m = f.mnemonic;
  b.escapeUndef |= b.undef;
  const lo = b.rng.int(256), hi = b.rng.int(256);
  if (m === 'callw') b.emit(`db 0x66, 0xe8, ${lo}, ${hi}`, f);
  else if (m === 'jmpw') b.emit(`db 0x66, 0xe9, ${lo}, ${hi}`, f);
  else b.emit(tokens(f)[0] === 'Iw' ? `o16 ret ${hexImm(b.rng.imm(2))}` : 'o16 ret', f);
  b.terminated = true;
  return true;
}

/** Emits one stack or control form; false when it does not fit here (body, stack bounds, not last). */
export function emitStackOrControl(b: CaseBuilder, f: DecoderForm, ctx: TemplateContext, body: BodyWriter, isLast: boolean): boolean {
  if (ctx.inBody) return false;
  const m = f.mnemonic;
  const t = tokens(f);
  if (alwaysEscapes(f)) return isLast ? escape(b, f) : false;
  switch (m) {
    case 'push': case 'pushw': return pushes(b, f, m === 'pushw' ? 2 : t[0] === 'Ev' || t[0] === 'Zv' || t[0] === 'Iz' ? operandSize(b, f) : 4);
    case 'pop': return pops(b, f, operandSize(b, f));
    case 'pusha': case 'pushaw': {
      const n = m === 'pusha' ? 32 : 16;
      if (!b.stackFits(n)) return false;
      b.emit(m === 'pusha' ? 'pushad' : 'pushaw', f);
      b.esp -= n;
      return true;
    }
    case 'popa': case 'popaw': {
      const n = m === 'popa' ? 32 : 16;
      if (!b.stackFits(-n)) return false;
      b.emit(m === 'popa' ? 'popad' : 'popaw', f);
      b.esp += n;
      return true;
    }
    case 'enter': case 'enterw': case 'leave': case 'leavew': return enterLeave(b, f);
    case 'call':
      if (t[0] === 'Jz') return callPair(b, f, body, b.rng.chance(0.3) ? 'pop' : 'direct');
      if (operandSize(b, f) === 2) {
        if (!isLast || !b.stackFits(2)) return false;
        b.escapeUndef |= b.undef;
        b.emit(b.rng.chance(0.5) ? `call ${regName(b.dstReg(2), 2)}` : `call ${b.mem(2)}`, f);
        b.terminated = true;
        return true;
      }
      return callPair(b, f, body, b.rng.chance(0.5) ? 'reg' : 'mem');
    case 'jmp': {
      const label = b.newLabel();
      if (t[0] === 'Jb' || t[0] === 'Jz') b.emit(`jmp ${t[0] === 'Jb' ? 'short' : 'near'} ${label}`, f);
      else if (operandSize(b, f) === 2) {
        if (!isLast) return false;
        b.escapeUndef |= b.undef;
        b.emit(b.rng.chance(0.5) ? `jmp ${regName(b.dstReg(2), 2)}` : `jmp ${b.mem(2)}`, f);
        b.terminated = true;
        return true;
      } else if (b.rng.chance(0.5)) {
        const r = b.dstReg(4);
        b.emit(`mov ${R32[r]}, ${ABS(label)}`, null);
        b.emit(`jmp ${R32[r]}`, f);
      } else {
        const mm = b.mem(4);
        b.emit(`mov dword ${mm.replace(/^dword /, '')}, ${ABS(label)}`, null);
        b.emit(`jmp ${mm}`, f);
      }
      b.label(label);
      return true;
    }
    case 'ret': return retPair(b, f, body);
    default:
      if (f.cls === 'control') { forwardConditional(b, f, body); return true; }
      throw new Error(`no template for ${m} ${f.operandText}`);
  }
}

