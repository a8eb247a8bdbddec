/**
 * isa/*.isa text → DecoderForm rows.
 *
 * One row per encoding form; grammar in docs/isa-format.md. Parsing is a
 * single pass over the token stream of a file, line by line. Every malformed
 * row raises IsaSyntaxError naming `file:line`. Cross-row checks (duplicate
 * encodings, ModRM disagreement inside one opcode) live in isa-tables.ts,
 * which sees all files.
 */
import { Flag, type InsnClass } from './insn.js';
import type { DecoderForm } from './form.js';
import {
  newDecoderForm,
  MAP_0F, MAP_0F38, MAP_0F3A, MAP_ONE, MOD_ANY, MOD_MEM, MOD_REG,
  PFX_66, PFX_9B, PFX_ANY, PFX_F2, PFX_F3,
} from './form.js';
import { IsaSyntaxError } from './isa-errors.js';
import { makeIsaLexer } from './isa-lexer.js';
import { OpKind, OPERAND_SPECS, SZ_A, SZ_P, SZ_V, specNeedsModrm, type OperandSpec } from './operand-specs.js';

const CLASSES: ReadonlySet<string> = new Set(['innocuous', 'control', 'sensitive', 'privileged', 'io', 'fpu', 'simd']);
/** A Map, as every table looked up by text from a file: no key can reach Object.prototype. */
const FLAG_BITS: ReadonlyMap<string, number> = new Map(Object.entries({
  O: Flag.OF, S: Flag.SF, Z: Flag.ZF, A: Flag.AF, P: Flag.PF, C: Flag.CF, D: Flag.DF, I: Flag.IF, T: Flag.TF,
}));

interface Tok {
  type: string;
  text: string;
}

/** Mutable row under construction; frozen into a DecoderForm at the end of the line. */
interface RowDraft {
  map: number;
  opcode: number;
  pfx: number;
  hasModrm: boolean;
  reg: number;
  rm: number;
  mod: number;
  plusR: boolean;
  osz: 0 | 2 | 4;
  asz: 0 | 2 | 4;
  mnemonic: string;
  ops: OperandSpec[];
  cls: InsnClass;
  lockable: boolean;
  repMode: 'none' | 'rep' | 'repe';
  bnd: boolean;
  notrack: boolean;
  flagsRead: number;
  flagsWritten: number;
  flagsUndefined: number;
  vexW: number;
}

function flagMask(letters: string): number {
  let m = 0;
  // The lexer admits only the letters of FLAG_BITS.
  for (const ch of letters) m |= FLAG_BITS.get(ch)!;
  return m;
}

/**
 * Parse one file's text. `nextId` numbers the forms densely across files;
 * the returned forms are frozen. +r rows expand to eight forms.
 */
export function parseIsaText(file: string, text: string, nextId: { value: number }): DecoderForm[] {
  const lexer = makeIsaLexer();
  lexer.reset(text.endsWith('\n') ? text : text + '\n');
  const out: DecoderForm[] = [];
  let defaultClass: InsnClass = 'innocuous';
  let line: Tok[] = [];
  let lineNo = 1;
  for (let t = lexer.next(); t !== undefined; t = lexer.next()) {
    if (t.type === 'bad') throw new IsaSyntaxError(file, t.line, `unexpected character '${t.text[0]}'`);
    if (t.type === 'ws' || t.type === 'comment') continue;
    if (t.type === 'nl') {
      if (line.length > 0) {
        const dc = parseLine(file, lineNo, line, defaultClass, out, nextId);
        if (dc !== null) defaultClass = dc;
      }
      line = [];
      lineNo = t.line + 1;
      continue;
    }
    if (line.length === 0) lineNo = t.line;
    line.push({ type: t.type!, text: t.value });
  }
  return out;
}

/** Returns a new default class for a `@class` directive, else null. */
function parseLine(
  file: string, lineNo: number, toks: Tok[], defaultClass: InsnClass, out: DecoderForm[], nextId: { value: number },
): InsnClass | null {
  const fail = (msg: string): never => {
    throw new IsaSyntaxError(file, lineNo, msg);
  };
  const first = toks[0]!;
  if (first.type === 'directive') {
    if (first.text !== '@class') fail(`unknown directive '${first.text}'`);
    const c = toks[1]?.text;
    if (toks.length !== 2 || c === undefined || !CLASSES.has(c)) fail(`@class needs one class name (${[...CLASSES].join(', ')})`);
    return c as InsnClass;
  }
  let i = 0;
  // VEX rows start with vex128 / vex256 / vexlig (L ignored).
  let vex = false;
  let vexL = -1;
  if (first.type === 'word' && /^vex(128|256|lig)$/.test(first.text)) {
    vex = true;
    vexL = first.text === 'vex128' ? 0 : first.text === 'vex256' ? 1 : -1;
    i = 1;
  }
  const hex: number[] = [];
  while (i < toks.length && toks[i]!.type === 'hex') hex.push(parseInt(toks[i++]!.text, 16));
  if (hex.length === 0) fail(`row must start with opcode bytes, found '${toks[i]?.text ?? first.text}'`);
  const d: RowDraft = {
    map: MAP_ONE, opcode: 0, pfx: PFX_ANY, hasModrm: false, reg: -1, rm: -1, mod: MOD_ANY, plusR: false,
    osz: 0, asz: 0, mnemonic: '', ops: [], cls: defaultClass, lockable: false, repMode: 'none', bnd: false,
    notrack: false, flagsRead: 0, flagsWritten: 0, flagsUndefined: 0, vexW: -1,
  };
  let h = 0;
  const p0 = hex[0]!;
  if (hex.length > 1 && (p0 === 0x66 || p0 === 0xf2 || p0 === 0xf3 || p0 === 0x9b)) {
    d.pfx = p0 === 0x66 ? PFX_66 : p0 === 0xf3 ? PFX_F3 : p0 === 0xf2 ? PFX_F2 : PFX_9B;
    h = 1;
  }
  if (hex[h] === 0x0f) {
    h++;
    if (hex[h] === 0x38) { d.map = MAP_0F38; h++; } else if (hex[h] === 0x3a) { d.map = MAP_0F3A; h++; } else d.map = MAP_0F;
  }
  if (h >= hex.length) fail('missing opcode byte');
  d.opcode = hex[h++]!;
  if (d.map === MAP_ONE && isPrefixByte(d.opcode)) fail(`0x${hex2(d.opcode)} is a prefix, not an opcode`);
  if (d.map === MAP_ONE && d.opcode === 0x0f) fail('0x0f is the two-byte escape, not an opcode');
  if (d.pfx === PFX_9B && d.map !== MAP_ONE) fail('9b rows are x87 control forms in the one-byte map');
  if (vex && (d.map === MAP_ONE || d.pfx === PFX_9B)) fail('VEX rows need map 0f, 0f 38 or 0f 3a');
  if (h < hex.length) {
    const m = hex[h++]!;
    if (m < 0xc0) fail(`fixed ModRM byte 0x${hex2(m)} must be a register form (c0..ff)`);
    d.hasModrm = true;
    d.mod = MOD_REG;
    d.reg = (m >> 3) & 7;
    d.rm = m & 7;
  }
  if (h < hex.length) fail('too many opcode bytes');
  // ModRM spec
  const t = toks[i];
  if (t !== undefined && t.type === 'modrm') {
    if (d.hasModrm) fail('a row has either a fixed ModRM byte or /r or /digit, not both');
    d.hasModrm = true;
    if (t.text !== '/r') d.reg = t.text.charCodeAt(1) - 48;
    i++;
    // Optional mod constraint written before the mnemonic: `d8 /0 mem fadd Md`.
    const c = toks[i];
    if (c !== undefined && c.type === 'word' && (c.text === 'mem' || c.text === 'reg')) {
      d.mod = c.text === 'mem' ? MOD_MEM : MOD_REG;
      i++;
    }
  } else if (t !== undefined && t.type === 'plusr') {
    if (d.hasModrm) fail('+r cannot follow a fixed ModRM byte');
    if ((d.opcode & 7) !== 0) fail('+r needs an opcode with low three bits zero');
    d.plusR = true;
    i++;
  }
  // Mnemonic
  const mt = toks[i++];
  if (mt === undefined || mt.type !== 'word' || !/^[a-z][a-z0-9_.]*$/.test(mt.text)) {
    fail(`expected a lower-case mnemonic, found '${mt?.text ?? 'end of line'}'`);
  }
  d.mnemonic = mt!.text;
  // Operands: a word starting with an upper-case letter or '1', or with a known operand (eAX).
  const ot = toks[i];
  let operandText = '';
  if (ot !== undefined && ot.type === 'word' && (/^[A-Z1]/.test(ot.text) || OPERAND_SPECS.has(ot.text.split(',')[0]!))) {
    operandText = ot.text;
    for (const name of ot.text.split(',')) {
      const s = OPERAND_SPECS.get(name);
      if (s === undefined) fail(`unknown operand '${name}'`);
      d.ops.push(s!);
    }
    i++;
  }
  // The decoder builds operand lists of at most three (decode.ts).
  if (d.ops.length > 3) fail(`at most three operands, found ${d.ops.length}`);
  // Attributes
  let classSeen = false;
  for (; i < toks.length; i++) {
    const a = toks[i]!;
    if (a.type === 'flags') {
      const m = flagMask(a.text.slice(2));
      if (a.text[0] === 'r') d.flagsRead |= m; else if (a.text[0] === 'w') d.flagsWritten |= m; else d.flagsUndefined |= m;
      continue;
    }
    if (a.type !== 'word') fail(`unexpected '${a.text}' among attributes`);
    const w = a.text;
    if (CLASSES.has(w)) {
      if (classSeen) fail('two classes on one row');
      classSeen = true;
      d.cls = w as InsnClass;
    } else if (w === 'lock') d.lockable = true;
    else if (w === 'rep') d.repMode = 'rep';
    else if (w === 'repe') d.repMode = 'repe';
    else if (w === 'o16' || w === 'o32') d.osz = w === 'o16' ? 2 : 4;
    else if (w === 'a16' || w === 'a32') d.asz = w === 'a16' ? 2 : 4;
    else if (w === 'mem' || w === 'reg') {
      if (!d.hasModrm) fail(`'${w}' needs a ModRM row (/r or /digit)`);
      d.mod = w === 'mem' ? MOD_MEM : MOD_REG;
    } else if (w === 'w0' || w === 'w1') {
      if (!vex) fail(`'${w}' is only for VEX rows`);
      d.vexW = w === 'w0' ? 0 : 1;
    } else if (w === 'bnd') d.bnd = true;
    else if (w === 'notrack') d.notrack = true;
    else if (/^[A-Z1]/.test(w)) fail(`operands must be one comma-separated list without spaces ('${w}')`);
    else fail(`unknown attribute '${w}'`);
  }
  // Operand/encoding consistency.
  for (const s of d.ops) {
    if (specNeedsModrm(s) && !d.hasModrm) fail(`operand '${s.name}' needs a ModRM byte: add /r or /digit`);
    if (s.kind === OpKind.Z && !d.plusR) fail(`operand '${s.name}' needs a +r opcode`);
    if (s.kind === OpKind.Vvvv && !vex) fail(`operand '${s.name}' (VEX.vvvv) on a non-VEX row`);
    if ((s.kind === OpKind.M) && d.mod === MOD_REG) fail(`memory operand '${s.name}' on a reg-only row`);
    if ((s.kind === OpKind.R || s.kind === OpKind.U || s.kind === OpKind.N) && d.mod === MOD_MEM) {
      fail(`register operand '${s.name}' on a mem-only row`);
    }
  }
  if (d.plusR && !d.ops.some((s) => s.kind === OpKind.Z)) fail('+r row without a Zb/Zv operand');
  if (d.hasModrm && d.mod === MOD_ANY) {
    if (d.ops.some((s) => s.kind === OpKind.M)) d.mod = MOD_MEM;
    else if (d.ops.some((s) => s.kind === OpKind.R || s.kind === OpKind.U || s.kind === OpKind.N || s.kind === OpKind.STi)) d.mod = MOD_REG;
  }
  if (d.lockable && !d.ops.some((s) => s.kind === OpKind.E || s.kind === OpKind.M)) fail("'lock' on a row without a memory destination");
  const usesOpSize = d.osz !== 0 || d.ops.some((s) => s.size === SZ_V || s.size === SZ_P || s.size === SZ_A);
  const constrained = d.pfx !== PFX_ANY || d.rm >= 0 || d.mod !== MOD_ANY || d.osz !== 0 || d.asz !== 0;
  const constrainedVex = constrained || vex;
  const encoding = toks.slice(0, toks.indexOf(mt!)).map((x) => x.text).join(' ');
  const ignoresMod = d.ops.some((s) => s.kind === OpKind.H);
  const count = d.plusR ? 8 : 1;
  for (let k = 0; k < count; k++) {
    out.push(newDecoderForm({
      id: nextId.value++, mnemonic: d.mnemonic, cls: d.cls, flagsRead: d.flagsRead, flagsWritten: d.flagsWritten,
      flagsUndefined: d.flagsUndefined, lockable: d.lockable, repMode: d.repMode, file, line: lineNo,
      map: d.map, opcode: d.opcode + k, pfx: d.pfx, hasModrm: d.hasModrm, reg: d.reg, rm: d.rm, mod: d.mod,
      osz: d.osz, asz: d.asz, ops: Object.freeze(d.ops.slice()), constrained: constrainedVex, usesOpSize,
      vex, vexL, vexW: d.vexW, bnd: d.bnd,
      notrack: d.notrack, ignoresMod, encoding, operandText,
    }));
  }
  return null;
}

function isPrefixByte(b: number): boolean {
  return b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e || b === 0x64 || b === 0x65 || b === 0x66 ||
    b === 0x67 || b === 0xf0 || b === 0xf2 || b === 0xf3;
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

