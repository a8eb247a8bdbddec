/**
 * Intel-syntax text for a DecodedInsn, exactly as `objdump -d -M intel`
 * prints it: mnemonic with the prefixes objdump names (`lock`, `rep`,
 * `repz`, `bnd`, `notrack`, `data16`, `addr16`, unused segment prefixes),
 * then operands (`DWORD PTR [ebp+0x8]`, `ds:0x1234`, `es:[edi]`, hex
 * immediates, absolute branch targets).
 *
 * Reads only the DecodedInsn plus the prefix bytes (to print them in their
 * original order). Used by `btvm disasm`, traces and the differential tests.
 */
import type { DecoderForm } from './form.js';
import { MAP_0F, MAP_0F3A, PFX_66, PFX_F2, PFX_F3 } from './form.js';
import type { DecodedInsn, MemOperand, Operand } from './insn.js';
import { OpKind } from './operand-specs.js';

const GPR8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SEG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', '?', '?'];
const SIZE_NAME: Record<number, string> = {
  1: 'BYTE PTR ', 2: 'WORD PTR ', 4: 'DWORD PTR ', 6: 'FWORD PTR ', 8: 'QWORD PTR ', 10: 'TBYTE PTR ', 16: 'XMMWORD PTR ', 32: 'YMMWORD PTR ',
};

export interface InsnText {
  /** Mnemonic with prefix words: 'rep stos', 'lock add', 'mov'. */
  readonly mnemonic: string;
  /** Operand text: 'DWORD PTR es:[edi],eax'. Empty when none. */
  readonly operands: string;
}

export function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

function signedHex(v: number): string {
  return v < 0 ? '-0x' + (-v >>> 0).toString(16) : '+0x' + v.toString(16);
}

export function regName(o: Operand & { kind: 'reg' }, fixedSt: boolean): string {
  switch (o.cls) {
    case 'gpr':
      return o.size === 1 ? GPR8[o.num]! : o.size === 2 ? GPR16[o.num]! : GPR32[o.num]!;
    case 'seg':
      return SEG[o.num]!;
    case 'cr':
      return 'cr' + o.num;
    case 'dr':
      return 'dr' + o.num;
    case 'tr':
      return 'tr' + o.num;
    case 'st':
      return fixedSt ? 'st' : `st(${o.num})`;
    case 'mm':
      return 'mm' + o.num;
    case 'xmm':
      return (o.size === 32 ? 'ymm' : 'xmm') + o.num;
  }
}

function memText(m: MemOperand, insn: DecodedInsn, kind: OpKind, hideSize: boolean): string {
  const size = hideSize || m.moffs ? '' : SIZE_NAME[m.size] ?? '';
  const names = m.addrSize === 4 ? GPR32 : GPR16;
  if (m.moffs) return `${SEG[m.seg]}:${hex(m.addrSize === 4 ? m.disp : m.disp & 0xffff)}`;
  if (kind === OpKind.X || kind === OpKind.Y || kind === OpKind.Xlat) {
    return `${size}${SEG[m.seg]}:[${names[m.base]}]`;
  }
  const segText = m.segOverride ? SEG[m.seg] + ':' : '';
  const sib = insn.sib;
  const eiz = sib >= 0 && ((sib >> 3) & 7) === 4 && !((sib & 7) === 4 && sib < 0x40 && m.base === 4);
  if (m.base < 0 && m.index < 0 && !eiz) {
    // Absolute displacement: objdump always names the segment.
    const d = m.addrSize === 4 ? m.disp >>> 0 : m.disp & 0xffff;
    return `${size}${m.segOverride ? SEG[m.seg] : 'ds'}:${hex(d)}`;
  }
  let s = '';
  if (m.base >= 0) s = names[m.base]!;
  if (m.index >= 0) s += (s ? '+' : '') + names[m.index] + (m.addrSize === 4 ? '*' + m.scale : '');
  else if (eiz) s += (s ? '+' : '') + 'eiz*' + (1 << (sib >> 6));
  if (insn.dispSize > 0) s += signedHex(m.disp);
  return `${size}${segText}[${s}]`;
}

export interface FormatOptions {
  /** Branch targets without `0x`, as objdump prints them when disassembling an ELF file. */
  readonly bareTargets?: boolean;
}

function operandText(o: Operand, insn: DecodedInsn, form: DecoderForm, i: number, bare: boolean): string {
  const spec = form.ops[i]!;
  switch (o.kind) {
    case 'reg':
      return regName(o, spec.kind === OpKind.Fixed);
    case 'mem':
      return memText(o, insn, spec.kind, spec.hideSize);
    case 'imm':
      return spec.kind === OpKind.One ? '1' : hex(o.value);
    case 'rel':
      return bare ? o.target.toString(16) : hex(o.target);
    case 'far':
      return `${hex(o.selector)}:${hex(o.offset)}`;
  }
}

/** Does this instruction use an address-size prefix (memory via ModRM, string operands, jcxz)? */
function usesAddrSize(insn: DecodedInsn, form: DecoderForm): boolean {
  if (form.asz !== 0) return true;
  for (let i = 0; i < form.ops.length; i++) {
    const k = form.ops[i]!.kind;
    if (k === OpKind.X || k === OpKind.Y || k === OpKind.Xlat) return true;
  }
  return insn.modrm >= 0 && insn.modrm < 0xc0 && !form.ignoresMod;
}

/** Does a segment prefix apply to one of the memory operands? */
function usesSegment(insn: DecodedInsn): boolean {
  for (const o of insn.operands) if (o.kind === 'mem' && o.segOverride) return true;
  return false;
}

/**
 * HLE hints: F2/F3 on a locked read-modify-write of memory (or xchg with
 * memory, locked implicitly) are xacquire/xrelease; F3 on a plain mov to
 * memory is xrelease.
 */
function hle(insn: DecodedInsn, form: DecoderForm, bytes: Uint8Array, offset: number, b: number): boolean {
  if (insn.modrm < 0 || insn.modrm >= 0xc0) return false;
  if (form.lockable && (insn.lock || form.mnemonic === 'xchg')) return true;
  const op = form.map === 0 ? form.opcode : -1;
  return b === 0xf3 && (op === 0x88 || op === 0x89 || op === 0xc6 || op === 0xc7);
}

const SEG_PREFIX: Record<number, string> = { 0x26: 'es', 0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x64: 'fs', 0x65: 'gs' };

/**
 * Prefix words in byte order, as objdump names them. `bytes[offset]` is the
 * instruction's first byte.
 */
function prefixWords(insn: DecodedInsn, form: DecoderForm | null, bytes: Uint8Array, offset: number): string {
  const n = insn.prefixLen;
  if (n === 0) return '';
  // The last prefix of each kind is the one the CPU acts on.
  let last66 = -1, last67 = -1, lastRep = -1, lastSeg = -1;
  for (let i = 0; i < n; i++) {
    const b = bytes[offset + i]!;
    if (b === 0x66) last66 = i;
    else if (b === 0x67) last67 = i;
    else if (b === 0xf2 || b === 0xf3) lastRep = i;
    else if (b !== 0xf0) lastSeg = i;
  }
  const used66 = form !== null && (form.usesOpSize || form.pfx === PFX_66);
  const used67 = form !== null && usesAddrSize(insn, form);
  const usedSeg = form !== null && usesSegment(insn);
  const repConsumed = form !== null && (form.pfx === PFX_F3 || form.pfx === PFX_F2);
  let out = '';
  for (let i = 0; i < n; i++) {
    const b = bytes[offset + i]!;
    let w = '';
    if (b === 0xf0) w = 'lock';
    else if (b === 0x66) w = i === last66 && used66 ? '' : 'data16';
    else if (b === 0x67) w = i === last67 && used67 ? '' : 'addr16';
    else if (b === 0xf2 || b === 0xf3) {
      if (i === lastRep && repConsumed) w = '';
      else if (i === lastRep && form !== null && form.repMode === 'rep') w = b === 0xf3 ? 'rep' : 'repnz';
      else if (b === 0xf2 && form !== null && form.bnd) w = 'bnd';
      else if (form !== null && hle(insn, form, bytes, offset, b)) w = b === 0xf2 ? 'xacquire' : 'xrelease';
      else w = b === 0xf3 ? 'repz' : 'repnz';
    } else if (i === lastSeg && b === 0x3e && form !== null && form.notrack) w = 'notrack';
    else w = i === lastSeg && usedSeg ? '' : SEG_PREFIX[b]!;
    if (w) out += w + ' ';
  }
  return out;
}

/** objdump's text for one decoded instruction. */
export function formatInsn(insn: DecodedInsn, bytes: Uint8Array, offset: number, opts: FormatOptions = {}): InsnText {
  const bare = opts.bareTargets === true;
  const form = insn.form as DecoderForm | null;
  if (insn.status !== 'ok' || form === null) return { mnemonic: '(bad)', operands: '' };
  const pre = prefixWords(insn, form, bytes, offset);
  // objdump folds some immediates into the mnemonic (cmpltps, pclmulhqlqdq) and then omits them.
  const pseudo = pseudoOp(form, insn);
  const shown = pseudo === null ? insn.operands.length : insn.operands.length - 1;
  let ops = '';
  for (let i = 0; i < shown; i++) {
    if (i > 0) ops += ',';
    ops += operandText(insn.operands[i]!, insn, form, i, bare);
  }
  return { mnemonic: pre + (pseudo ?? insn.mnemonic), operands: ops };
}

/** cmpps/cmppd/cmpss/cmpsd predicates 0-7, as objdump names them. */
const CMP_PREDICATES = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord'];
/** pclmulqdq immediates objdump names (others print as pclmulqdq with the immediate). */
const PCLMUL_NAMES: Readonly<Record<number, string>> = {
  0x00: 'pclmullqlqdq', 0x01: 'pclmulhqlqdq', 0x02: 'pclmullqhqdq', 0x03: 'pclmulhqhqdq', 0x10: 'pclmullqhqdq', 0x11: 'pclmulhqhqdq',
};

/**
 * The pseudo-op objdump prints for an instruction whose last operand is an
 * immediate it folds into the name, or null. Text only: the decoded
 * mnemonic (which the lifter keys on) stays cmpps / pclmulqdq.
 */
function pseudoOp(form: DecoderForm, insn: DecodedInsn): string | null {
  if (form.vex) return null;
  const last = insn.operands[insn.operands.length - 1];
  if (last === undefined || last.kind !== 'imm') return null;
  if (form.map === MAP_0F && form.opcode === 0xc2) {
    // cmpps → cmpltps: the predicate goes between 'cmp' and the type suffix.
    return last.value < 8 ? 'cmp' + CMP_PREDICATES[last.value]! + form.mnemonic.slice(3) : null;
  }
  if (form.map === MAP_0F3A && form.opcode === 0x44 && form.mnemonic === 'pclmulqdq') return PCLMUL_NAMES[last.value] ?? null;
  return null;
}

/** One objdump-style text: mnemonic padded to 6 columns, a space, operands. */
export function insnToString(t: InsnText): string {
  return t.operands ? t.mnemonic.padEnd(6) + ' ' + t.operands : t.mnemonic;
}
