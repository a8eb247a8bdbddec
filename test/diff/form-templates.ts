/**
 * One template per kind of inline isa/ form: given the form, write the nasm
 * line(s) that execute it with random operands, and the flag effect. The
 * generator (generator.ts) picks forms; control transfers and stack forms
 * are in control-templates.ts.
 *
 * nasm picks the shortest encoding, so a template steers it to the exact row
 * (accumulator short forms vs ModRM, 83 vs 81, 6a vs 68, 40+r vs ff /0 …);
 * rows nasm never emits (the 82 and /6 aliases, f6/f7 /1, hint NOPs) are
 * written as `db` bytes. Whatever the template meant is checked afterwards
 * by decoding (encode.ts), so a template that misses its row fails loudly.
 */
import type { DecoderForm } from '../../src/decoder/form.js';
import { MOD_MEM, MOD_REG } from '../../src/decoder/form.js';
import { OSZAPC } from '../support/harness-protocol.js';
import { CaseBuilder, EAX, ECX, EDX, ESP, R32, hexImm, regName } from './case-builder.js';
import { flagEffect, isCountedShift } from './flag-model.js';

export interface TemplateContext {
  /** Inside a jumped-over or called body: no stack changes, no control transfers. */
  readonly inBody: boolean;
}

/** Operand size for a form: its fixed o16/o32, else 16 bits a third of the time when 0x66 matters. */
export function operandSize(b: CaseBuilder, f: DecoderForm): 2 | 4 {
  if (f.osz !== 0) return f.osz;
  return f.usesOpSize && b.rng.chance(0.33) ? 2 : 4;
}

const tokens = (f: DecoderForm): string[] => (f.operandText ? f.operandText.split(',') : []);
/** First operand only read. */
const READS_FIRST = new Set(['cmp', 'test', 'bt']);

/** r/m operand: register or memory as the row allows; `mem` forces memory (nasm would pick a shorter row for a register). */
function rm(b: CaseBuilder, f: DecoderForm, size: number, write: boolean, forceMem = false, avoidEax = false): { text: string; isMem: boolean; reg: number } {
  const wantMem = f.mod === MOD_MEM || forceMem || (f.mod !== MOD_REG && b.rng.chance(0.5));
  // mov with EAX/AL and an absolute address would become the moffs row (a0-a3).
  if (wantMem) return { text: b.mem(size, { noAbsolute: f.mnemonic === 'mov' }), isMem: true, reg: -1 };
  let r: number;
  do r = write ? b.dstReg(size) : b.srcReg(); while (avoidEax && r === EAX);
  return { text: regName(r, size), isMem: false, reg: r };
}

const maybeLock = (b: CaseBuilder, f: DecoderForm, isMem: boolean): string => (f.lockable && isMem && b.rng.chance(0.25) ? 'lock ' : '');

/** ModRM byte for a register r/m or a [base+disp8] memory operand (base loaded by the builder). */
function rawModrm(b: CaseBuilder, f: DecoderForm, size: number): number[] {
  if (f.mod === MOD_REG || (f.mod !== MOD_MEM && b.rng.chance(0.5))) return [0xc0 | (f.reg << 3) | b.dstReg(size)];
  const base = b.freeReg(1 << 5); // not EBP: mod=01 rm=101 is [ebp+disp8], fine, but keep it simple
  b.reserve(base);
  const d = b.rng.range(-100, 100);
  b.set(base, 0x10000100 + b.rng.int(0xd000) - d);
  return [0x40 | (f.reg << 3) | base, d & 0xff];
}
const dbLine = (bytes: number[]): string => 'db ' + bytes.map((x) => hexImm(x)).join(', ');

/** Rows nasm never emits: 82 /r, c0..d3 /6, f6/f7 /1. */
function aliasRow(f: DecoderForm): boolean {
  if (f.map !== 0) return false;
  return f.opcode === 0x82 || (f.opcode >= 0xc0 && f.opcode <= 0xd3 && f.reg === 6 && f.mnemonic === 'shl') || ((f.opcode === 0xf6 || f.opcode === 0xf7) && f.reg === 1);
}

function emitAlias(b: CaseBuilder, f: DecoderForm): void {
  const size = f.opcode === 0x82 || f.opcode === 0xc0 || f.opcode === 0xd0 || f.opcode === 0xd2 || f.opcode === 0xf6 ? 1 : operandSize(b, f);
  const pre = size === 2 ? [0x66] : [];
  let count: number | null = null;
  let imm: number[] = [];
  if (f.opcode === 0xd2 || f.opcode === 0xd3) {
    count = b.rng.int(40);
    b.reserve(ECX);
    b.set(ECX, count, 1);
  }
  const modrm = rawModrm(b, f, size);
  if (f.opcode === 0xd0 || f.opcode === 0xd1) count = 1;
  if (f.opcode === 0xc0 || f.opcode === 0xc1) { count = b.rng.int(40); imm = [count]; }
  if (f.opcode === 0x82) imm = [b.rng.imm(1)];
  if (f.opcode === 0xf6) imm = [b.rng.imm(1)];
  if (f.opcode === 0xf7) { const v = b.rng.imm(size); imm = size === 2 ? [v & 0xff, v >>> 8] : [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]; }
  b.defineFlags(f.flagsRead);
  b.emit(dbLine([...pre, f.opcode, ...modrm, ...imm]), f, flagEffect(f, size, count));
}

/** Shifts, rotates, shld/shrd: the count is known (imm, or CL loaded just before) or, for plain shifts, left random. */
function emitShift(b: CaseBuilder, f: DecoderForm): void {
  const t = tokens(f);
  const size = t[0] === 'Eb' ? 1 : operandSize(b, f);
  const double = f.mnemonic === 'shld' || f.mnemonic === 'shrd';
  const byCl = t[t.length - 1] === 'CL';
  let count: number | null = null;
  if (byCl) {
    b.reserve(ECX);
    // 16-bit shld/shrd by more than 16 is undefined: always load CL for them.
    if ((double && size === 2) || b.rng.chance(0.6)) {
      count = double && size === 2 ? b.rng.pick([0, 1, 2, 7, 8, 15, 16, 32, 33, 47, 48]) : b.rng.pick([0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 255, b.rng.int(256)]);
    }
  }
  const dst = rm(b, f, size, true);
  const src = double ? regName(b.srcReg(), size) : '';
  if (byCl && count !== null) b.set(ECX, count, 1);
  b.defineFlags(f.flagsRead);
  let last: string;
  if (t[t.length - 1] === '1') { last = '1'; count = 1; }
  else if (byCl) last = 'cl';
  else {
    count = double && size === 2 ? b.rng.pick([0, 1, 5, 15, 16, 32, 48]) : b.rng.pick([0, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 200, b.rng.int(256)]);
    if (count === 1 && !double) count = 2; // nasm would pick the shift-by-one row
    last = hexImm(count);
  }
  const ops = [dst.text, ...(double ? [src] : []), last].join(', ');
  b.emit(`${f.mnemonic} ${ops}`, f, flagEffect(f, size, count));
}

/** mul/imul/div/idiv with one operand: dividends and divisors chosen so some divide, some fault (#DE). */
function emitMulDiv(b: CaseBuilder, f: DecoderForm): void {
  const size = tokens(f)[0] === 'Eb' ? 1 : operandSize(b, f);
  const isDiv = f.mnemonic === 'div' || f.mnemonic === 'idiv';
  if (!isDiv) {
    const src = rm(b, f, size, false);
    b.emit(`${f.mnemonic} ${src.text}`, f, flagEffect(f, size, null));
    return;
  }
  b.reserve(EAX, EDX);
  const plan = b.rng.int(4); // 0: as is (usually #DE by overflow), 1,2: divisible, 3: divisor 0
  let src: string;
  if (plan === 3 || b.rng.chance(0.5)) {
    const r = b.freeReg();
    b.reserve(r);
    const v = plan === 3 ? 0 : (b.rng.value() | 1);
    b.set(r, v);
    src = regName(r, size);
  } else src = rm(b, f, size, false).text;
  if (plan === 1 || plan === 2) {
    const signed = f.mnemonic === 'idiv';
    if (size === 1) b.emit(signed ? 'cbw' : 'mov ah, 0', null);
    else if (signed) b.emit(size === 2 ? 'cwd' : 'cdq', null);
    else b.emit(size === 2 ? 'mov dx, 0' : 'xor edx, edx', null, { defined: OSZAPC & ~0x10, undefined: 0x10 });
  }
  b.emit(`${f.mnemonic} ${src}`, f, flagEffect(f, size, null));
}

/** bt/bts/btr/btc: with a memory operand a register offset reaches far (offset SAR 3), so it is loaded small. */
function emitBitTest(b: CaseBuilder, f: DecoderForm): void {
  const size = operandSize(b, f);
  const byReg = tokens(f)[1] === 'Gv';
  const offReg = byReg ? b.freeReg() : -1;
  if (byReg) b.reserve(offReg);
  const dst = rm(b, f, size, f.mnemonic !== 'bt');
  let src: string;
  if (byReg) {
    if (dst.isMem) b.set(offReg, b.rng.range(-200, 200));
    src = regName(dst.isMem ? offReg : b.srcReg(), size);
  } else src = hexImm(b.rng.imm(1));
  b.emit(`${maybeLock(b, f, dst.isMem)}${f.mnemonic} ${dst.text}, ${src}`, f, flagEffect(f, size, null));
}

/** String instructions: ESI/EDI in the data region, DF and (with rep) ECX loaded just before. */
function emitString(b: CaseBuilder, f: DecoderForm): void {
  const size = tokens(f)[0]!.endsWith('b') || f.operandText.includes('AL') ? 1 : operandSize(b, f);
  const suffix = size === 1 ? 'b' : size === 2 ? 'w' : 'd';
  const rep = b.rng.chance(0.6);
  const count = rep ? b.rng.pick([0, 1, 2, 3, 5, 8, 13]) : 1;
  b.reserve(ECX, 6, 7);
  b.set(6, 0x10001000 + b.rng.int(0xc000));
  b.set(7, 0x10001000 + b.rng.int(0xc000));
  if (rep) b.set(ECX, count);
  b.emit(b.rng.chance(0.5) ? 'cld' : 'std', null);
  const pfx = !rep ? '' : f.repMode === 'repe' ? b.rng.pick(['repe ', 'repne ']) : 'rep ';
  b.emit(`${pfx}${f.mnemonic}${suffix}`, f, flagEffect(f, size, null, count !== 0));
}

/** Everything regular enough to follow the operand tokens. */
function emitGeneric(b: CaseBuilder, f: DecoderForm): void {
  const t = tokens(f);
  const m = f.mnemonic;
  const size = t.some((x) => x.endsWith('v') || x === 'Iz') ? operandSize(b, f) : 4;
  const parts: string[] = [];
  let lock = '';
  const accumulator = t[0] === 'AL' || t[0] === 'eAX';
  t.forEach((tok, i) => {
    const write = i === 0 ? !READS_FIRST.has(m) : m === 'xchg' || m === 'xadd';
    switch (tok) {
      case 'Eb': case 'Ev': {
        const s = tok === 'Eb' ? 1 : size;
        // nasm prefers these rows for registers: 88/89 over 8a/8b, b0/b8 over c6/c7, 40+r over ff /0, 04/05 over 80/81 on AL/EAX.
        const forceMem = (m === 'mov' && t[1]?.startsWith('I')) || m === 'inc' || m === 'dec' || (i === 1 && t[0]!.startsWith('G') && m !== 'imul' && !m.startsWith('cmov') && !['bsf', 'bsr', 'popcnt', 'tzcnt', 'lzcnt', 'crc32', 'movzx', 'movsx'].includes(m));
        const avoidEax = (t[1] === 'Iz' || t[1] === 'Ib') && i === 0 || ((m === 'xchg') && i === 0);
        const o = rm(b, f, s, write, forceMem, avoidEax);
        if (o.isMem) lock = maybeLock(b, f, true);
        parts.push(o.text);
        break;
      }
      case 'Ew': parts.push(rm(b, f, 2, write).text); break;
      case 'Gb': parts.push(regName(write || i === 0 ? b.dstReg(1) : b.srcReg(), 1)); break;
      case 'Gv': {
        let r: number;
        // xchg reg, eAX has its own row (90+r): keep EAX out of a register-register xchg.
        do r = write || i === 0 ? b.dstReg(size) : b.srcReg(); while (m === 'xchg' && r === EAX && !parts[0]!.includes('['));
        parts.push(regName(r, size));
        break;
      }
      case 'Gw': parts.push(regName(b.srcReg(), 2)); break;
      case 'Gd': parts.push(regName(i === 0 ? b.dstReg(4) : b.srcReg(), 4)); break;
      case 'AL': parts.push('al'); break;
      case 'eAX': parts.push(size === 2 ? 'ax' : 'eax'); break;
      case 'Ib': parts.push(hexImm(b.rng.imm(1))); break;
      case 'Ibs': parts.push(`byte ${b.rng.range(-128, 127)}`); break;
      case 'Iz': parts.push(`strict ${size === 2 ? 'word' : 'dword'} ${hexImm(b.rng.imm(size))}`); break;
      case 'Iw': parts.push(hexImm(b.rng.imm(2))); break;
      case 'Mv': parts.push(b.mem(size)); break;
      case 'Md': parts.push(b.mem(4)); break;
      case 'Mq': parts.push(b.mem(8, { sizeWord: false })); break;
      case 'Mb': parts.push(b.mem(1, { sizeWord: false })); break;
      default: throw new Error(`no generic operand for ${tok} in ${m} ${f.operandText}`);
    }
  });
  if (accumulator && t[1] === 'Iz') parts[1] = `strict ${size === 2 ? 'word' : 'dword'} ${hexImm(b.rng.imm(size))}`;
  b.defineFlags(f.flagsRead);
  b.emit(`${lock}${m} ${parts.join(', ')}`.trim(), f, flagEffect(f, size, null));
}

/** Forms with a register in the opcode (+r rows): the register is the row's. ESP rows keep ESP known. */
function emitOpcodeRegister(b: CaseBuilder, f: DecoderForm, ctx: TemplateContext): boolean {
  const r = f.opcode & 7;
  const m = f.mnemonic;
  if (m === 'mov') {
    const size = tokens(f)[0] === 'Zb' ? 1 : operandSize(b, f);
    if (r === ESP && size !== 1) {
      if (ctx.inBody) return false;
      const v = b.esp + b.rng.range(-64, 64) * 4;
      b.emit(`mov ${size === 2 ? 'sp' : 'esp'}, ${hexImm(size === 2 ? v & 0xffff : v)}`, f);
      if (size === 2) b.esp = ((b.esp & ~0xffff) | (v & 0xffff)) >>> 0; else b.esp = v >>> 0;
      return true;
    }
    b.emit(`mov ${regName(r, size)}, ${size === 4 ? hexImm(b.rng.imm(4)) : `strict ${size === 1 ? 'byte' : 'word'} ${hexImm(b.rng.imm(size))}`}`, f);
    return true;
  }
  const size = operandSize(b, f);
  if (m === 'bswap') {
    if (r === ESP) {
      if (ctx.inBody) return false;
      b.emit('bswap esp', f);
      b.emit('bswap esp', null); // back at once: ESP is never left invalid
    } else b.emit(`bswap ${R32[r]}`, f); // 16-bit bswap is undefined (SDM): 32-bit only
    return true;
  }
  if (m === 'xchg') {
    if (r === 0) {
      b.emit('xchg ax, ax', f); // 66 90; plain 90 is the nop row
      return true;
    }
    if (r === ESP) {
      if (ctx.inBody) return false;
      const v = (b.esp + b.rng.range(-64, 64) * 4) >>> 0;
      b.set(EAX, v);
      b.emit(size === 2 ? 'xchg sp, ax' : 'xchg esp, eax', f);
      if (size === 2) b.esp = ((b.esp & ~0xffff) | (v & 0xffff)) >>> 0; else b.esp = v;
      return true;
    }
    b.emit(`xchg ${regName(r, size)}, ${size === 2 ? 'ax' : 'eax'}`, f);
    return true;
  }
  if (m === 'inc' || m === 'dec') {
    if (r === ESP) {
      if (ctx.inBody) return false;
      b.emit(`${m} ${size === 2 ? 'sp' : 'esp'}`, f, flagEffect(f, size, null));
      b.esp = (b.esp + (m === 'inc' ? 1 : -1)) >>> 0;
      return true;
    }
    b.emit(`${m} ${regName(r, size)}`, f, flagEffect(f, size, null));
    return true;
  }
  return false; // push/pop Zv: control-templates.ts
}

const PLAIN_NO_OPERANDS = new Set([
  'daa', 'das', 'aaa', 'aas', 'cwde', 'cbw', 'cdq', 'cwd', 'sahf', 'lahf', 'cmc', 'clc', 'stc', 'cld', 'std',
  'nop', 'pause', 'lfence', 'mfence', 'sfence', 'endbr32', 'endbr64',
]);

/** Emits one non-control, non-stack form; false when it cannot be placed here. */
export function emitDataForm(b: CaseBuilder, f: DecoderForm, ctx: TemplateContext): boolean {
  const m = f.mnemonic;
  const t = tokens(f);
  if (aliasRow(f)) { emitAlias(b, f); return true; }
  if (t[0] === 'Zv' || t[0] === 'Zb') return emitOpcodeRegister(b, f, ctx);
  if (isCountedShift(m)) { emitShift(b, f); return true; }
  if (['mul', 'imul', 'div', 'idiv'].includes(m) && t.length === 1) { emitMulDiv(b, f); return true; }
  if (['bt', 'bts', 'btr', 'btc'].includes(m)) { emitBitTest(b, f); return true; }
  if (['movs', 'cmps', 'stos', 'lods', 'scas'].includes(m)) { emitString(b, f); return true; }
  if (PLAIN_NO_OPERANDS.has(m) && t.length === 0) {
    b.defineFlags(f.flagsRead);
    const text = m === 'nop' ? 'nop' : m === 'cbw' || m === 'cwde' || m === 'cwd' || m === 'cdq' || m === 'sahf' || m === 'lahf' ? m : m;
    b.emit(text, f, flagEffect(f, 4, null));
    return true;
  }
  switch (m) {
    case 'aam': case 'aad': {
      const base = b.rng.pick([10, 10, 0, 1, 7, 16, 255, b.rng.int(256)]);
      b.emit(base === 10 && b.rng.chance(0.5) ? m : `${m} ${hexImm(base)}`, f, flagEffect(f, 1, null));
      return true;
    }
    case 'xlat': {
      b.reserve(3);
      b.set(3, 0x10000100 + b.rng.int(0xd000));
      b.emit('xlatb', f);
      return true;
    }
    case 'lea': {
      const size = operandSize(b, f);
      const dst = regName(b.dstReg(size), size);
      if (b.rng.chance(0.2)) {
        const pair = b.rng.pick(['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bx', 'bp']);
        b.emit(`lea ${dst}, [${pair}+${b.rng.int(0x10000)}]`, f);
      } else b.emit(`lea ${dst}, ${b.mem(0, { noAccess: true })}`, f);
      return true;
    }
    case 'mov':
      if (t[1] === 'Sw') {
        const seg = b.rng.pick(['es', 'cs', 'ss', 'ds', 'fs', 'gs']);
        const size = operandSize(b, f);
        const dst = rm(b, f, size, true);
        b.emit(`mov ${dst.isMem ? 'word ' + dst.text.replace(/^\w+ /, '') : dst.text}, ${seg}`, f);
        return true;
      }
      if (t[0] === 'AL' || t[0] === 'eAX' || t[0] === 'Ob' || t[0] === 'Ov') {
        const size = t.includes('Ob') ? 1 : operandSize(b, f);
        const acc = regName(EAX, size);
        const addr = `[${hexImm(0x10000100 + b.rng.int(0xd000))}]`;
        b.emit(t[0].startsWith('O') ? `mov ${addr}, ${acc}` : `mov ${acc}, ${addr}`, f);
        return true;
      }
      break;
    case 'bound': {
      const size = operandSize(b, f);
      b.emit(`bound ${regName(b.srcReg(), size)}, ${b.mem(size * 2, { sizeWord: false })}`, f);
      return true;
    }
    case 'arpl': {
      const dst = rm(b, f, 2, true);
      b.emit(`arpl ${dst.text}, ${regName(b.srcReg(), 2)}`, f, flagEffect(f, 2, null));
      return true;
    }
    case 'cmpxchg8b': case 'prefetchnta': case 'prefetcht0': case 'prefetcht1': case 'prefetcht2': case 'prefetch':
    case 'prefetchw': case 'prefetchwt1': case 'clflush': case 'clflushopt': case 'clwb': case 'cldemote': {
      const lock = m === 'cmpxchg8b' && b.rng.chance(0.25) ? 'lock ' : '';
      b.emit(`${lock}${m} ${b.mem(m === 'cmpxchg8b' ? 8 : 1, { sizeWord: false })}`, f, flagEffect(f, 4, null));
      return true;
    }
    case 'rdsspd':
      b.emit(`rdsspd ${R32[b.dstReg(4)]}`, f); // no shadow stack: a NOP, the register keeps its value
      return true;
    case 'movzx': case 'movsx': {
      const size = operandSize(b, f);
      const srcSize = t[1] === 'Eb' ? 1 : 2;
      if (srcSize === 2 && size === 2) return false;
      const src = rm(b, f, srcSize, false);
      b.emit(`${m} ${regName(b.dstReg(size), size)}, ${src.text}`, f);
      return true;
    }
    case 'imul':
      if (t.length === 3) {
        const size = operandSize(b, f);
        const src = rm(b, f, size, false);
        const imm = t[2] === 'Ibs' ? `byte ${b.rng.range(-128, 127)}` : `strict ${size === 2 ? 'word' : 'dword'} ${hexImm(b.rng.imm(size))}`;
        b.emit(`imul ${regName(b.dstReg(size), size)}, ${src.text}, ${imm}`, f, flagEffect(f, size, null));
        return true;
      }
      break;
    case 'nop':
      break;
  }
  if (m === 'nop' && t[0] === 'Ev') return emitHintNop(b, f);
  emitGeneric(b, f);
  return true;
}

/** 0f 18..1f hint NOPs: raw bytes (nasm only has some of them), register or memory r/m. */
function emitHintNop(b: CaseBuilder, f: DecoderForm): boolean {
  const size = operandSize(b, f);
  // 0f 1c /0 with memory is cldemote's row: the catch-all nop row gets another reg field there.
  const regField = f.reg >= 0 ? f.reg : f.opcode === 0x1c ? b.rng.range(1, 7) : b.rng.int(8);
  const g: DecoderForm = { ...f, reg: regField };
  const modrm = rawModrm(b, g, size);
  b.emit(dbLine([...(size === 2 ? [0x66] : []), 0x0f, f.opcode, ...modrm]), f);
  return true;
}
