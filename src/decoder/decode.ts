/**
 * The x86 (IA-32) instruction decoder's entry point: guest bytes →
 * DecodedInsn.
 *
 * `decode()` is called once per guest instruction, by the translator and by
 * `btvm disasm` (target ≥ 15 M instructions/s, bench/decode.bench.ts). Most
 * instructions of 32-bit code are plain (93% of libc's): no legacy prefix,
 * a 32-bit code segment, the one-byte or 0F map, a row that does not depend
 * on rm. This file decodes those with the least state it can: no prefix,
 * lock, rep, VEX or 16-bit bookkeeping, so V8 keeps the few live values in
 * registers; the common operand lists (decode-index.ts SHAPE_*) are built
 * inline, the others by the general operand loop (operand-loop.ts). Every
 * other instruction, and any input with fewer than FAST_SPAN bytes left, goes
 * to decodeGeneral() (decode-general.ts), which gives the same answer for
 * plain instructions too (test/decoder/fast-path.test.ts checks every byte
 * offset of libc's code). Splitting the two made decoding about 1.25× faster
 * (bench/decode.bench.ts).
 *
 * Allocation per instruction: the result (a six-field DecodedRecord,
 * decoded-record.ts), plus the operand array and one object per memory,
 * immediate or branch operand; register-only operand lists are shared frozen
 * arrays (static-operands.ts), register operands shared frozen objects
 * (register-operands.ts).
 */
import { A_SIB, address32, defaultSegment, displacement, memOperand } from './addressing.js';
import {
  DECODE_INDEX, I_IGNORES_MOD, I_NOPS_SHIFT, I_SHAPE_SHIFT, I_STATIC_SHIFT, MAX_OPERANDS, OP_KIND_MASK, SHAPE_E, SHAPE_E_G, SHAPE_G_E,
  SHAPE_GENERIC, SHAPE_J, SLOT_CONDITIONAL,
} from './decode-index.js';
import { decodeGeneral, decoderTables, FAST_SPAN } from './decode-general.js';
import { B_DISPSIZE_SHIFT, DecodedRecord, STATUS_OK } from './decoded-record.js';
import type { DecodedInsn, Operand, OperandSize } from './insn.js';
import { OpKind } from './operand-specs.js';
import { decodeOperandLoop, LOOP_OUT } from './operand-loop.js';
import { RC_GPR, REG_POOL, regIndex, regOperand } from './register-operands.js';
import { STATIC_ALWAYS, STATIC_IF_REG, STATIC_KEYS_LEGACY, staticKey } from './static-operands.js';

export interface DecodeMode {
  readonly opSize: 2 | 4;
  readonly addrSize: 2 | 4;
}

/**
 * The buffer length after an instruction's start that lets decode() take
 * its fast path. A caller holding only the 16 bytes an instruction can
 * involve may zero-pad its buffer to this length: no result depends on a
 * byte past the 15-byte limit (reading one only makes the instruction
 * too-long), so the answer is the same as for the 16 bytes alone.
 */
export const DECODE_WINDOW = FAST_SPAN;

export const MODE32: DecodeMode = Object.freeze({ opSize: 4, addrSize: 4 });
export const MODE16: DecodeMode = Object.freeze({ opSize: 2, addrSize: 2 });

const NO_OPERANDS: readonly Operand[] = Object.freeze([]);

/**
 * What the first byte says: 0 an opcode of the one-byte map, 1 the 0F
 * escape, 2 hand the instruction to decodeGeneral (legacy prefixes; 9B,
 * which may glue onto an x87 form; C4/C5, which may start VEX).
 */
const FIRST_ESCAPE = 1;
const FIRST_GENERAL = 2;
const FIRST_BYTE = new Uint8Array(256);
FIRST_BYTE[0x0f] = FIRST_ESCAPE;
for (const b of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x9b, 0xc4, 0xc5]) FIRST_BYTE[b] = FIRST_GENERAL;

let ready = false;
/** Module constants, so V8 embeds the arrays in the optimised code. */
const IX = DECODE_INDEX;
const FORMS = IX.forms;
const INFO = IX.info;
const OPS = IX.ops;
const OP_SIZES = IX.opSizes;
const SLOT = IX.slot;
const PLAIN = IX.plain;
const MODRM_NEED = IX.modrmNeed;
const STATIC_OPS = IX.staticOps;

/**
 * Decode one instruction at bytes[offset]. `address` is its linear address
 * (for relative targets); `mode` is the code segment's default sizes. Never
 * throws on guest bytes.
 */
export function decode(bytes: Uint8Array, offset: number, address: number, mode: DecodeMode = MODE32): DecodedInsn {
  if (!ready) {
    decoderTables();
    ready = true;
  }
  // With FAST_SPAN bytes left no read can leave the buffer, and a plain instruction is at most 12 bytes long.
  if (mode.opSize !== 4 || mode.addrSize !== 4 || bytes.length - offset < FAST_SPAN) return decodeGeneral(bytes, offset, address, mode);
  const buf = bytes;
  let p = offset;
  let opcode = buf[p++]!;
  let map = 0;
  const first = FIRST_BYTE[opcode]!;
  if (first !== 0) {
    if (first === FIRST_GENERAL) return decodeGeneral(bytes, offset, address, mode);
    opcode = buf[p++]!;
    if (opcode === 0x38 || opcode === 0x3a) return decodeGeneral(bytes, offset, address, mode);
    map = 1;
  }
  const need = MODRM_NEED[map * 256 + opcode]!;
  let modrm = -1;
  let slot = map * 2048 + opcode * 8;
  if (need === 2) {
    modrm = buf[p++]!;
    slot += (modrm >> 3) & 7;
  } else if (need === 0) return decodeGeneral(bytes, offset, address, mode);
  let fid = SLOT[slot]! - 1;
  if (fid < 0) {
    // A conditional slot whose plain-state row decodeGeneral has already resolved for this mod (form-select.ts plainRow).
    const v = fid + 1 === SLOT_CONDITIONAL ? PLAIN[(slot << 1) | (modrm >= 0xc0 ? 1 : 0)]! : 0;
    if (v <= 0) return decodeGeneral(bytes, offset, address, mode);
    fid = v - 1;
  }
  const info = INFO[fid]!;
  const isReg = modrm >= 0xc0;

  // ModRM memory addressing, 32-bit: base, index, scale, displacement size and default segment in one word (addressing.ts).
  let a = 0;
  let sib = -1;
  let dispSize = 0;
  let disp = 0;
  if (modrm >= 0 && !isReg && (info & I_IGNORES_MOD) === 0) {
    a = address32(modrm, buf[p]!);
    if ((a & A_SIB) !== 0) sib = buf[p++]!;
    dispSize = (a >> 12) & 15;
    disp = displacement(buf, p, dispSize);
    p += dispSize;
  }

  const opBase = fid * MAX_OPERANDS;
  const shape = (info >> I_SHAPE_SHIFT) & 7;
  let operands: readonly Operand[] = NO_OPERANDS;
  // Register-only operand lists are shared (static-operands.ts): look one up, or build it below and keep it.
  let cache: (readonly Operand[] | null)[] | null = null;
  const sk = (info >> I_STATIC_SHIFT) & 3;
  if (sk === STATIC_ALWAYS || (sk === STATIC_IF_REG && isReg)) {
    cache = STATIC_OPS[fid] ?? (STATIC_OPS[fid] = new Array<readonly Operand[] | null>(STATIC_KEYS_LEGACY).fill(null));
    const hit = cache[staticKey(modrm, 4, -1)]!;
    if (hit !== null) operands = hit;
  }
  if (operands === NO_OPERANDS && shape === SHAPE_J) {
    let d: number;
    if (OP_SIZES[opBase]! >>> 16 === 1) d = (buf[p++]! << 24) >> 24;
    else {
      d = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
      p += 4;
    }
    operands = [{ kind: 'rel', size: 4, target: (address + (p - offset) + d) >>> 0 }];
  } else if (operands === NO_OPERANDS && shape !== SHAPE_GENERIC) {
    // The E operand is first except in G,E. Sizes are the 32-bit half of OP_SIZES (decode-index.ts).
    const esize = (OP_SIZES[shape === SHAPE_G_E ? opBase + 1 : opBase]! >>> 16) as OperandSize;
    let e: Operand;
    if (isReg) e = REG_POOL[regIndex(RC_GPR, modrm & 7, esize)] ?? regOperand(RC_GPR, modrm & 7, esize);
    else e = memOperand(esize, a, disp, defaultSegment(a), false, 4, false);
    if (shape === SHAPE_E) operands = [e];
    else if (shape === SHAPE_G_E) {
      const size0 = (OP_SIZES[opBase]! >>> 16) as OperandSize;
      operands = [REG_POOL[regIndex(RC_GPR, (modrm >> 3) & 7, size0)] ?? regOperand(RC_GPR, (modrm >> 3) & 7, size0), e];
    } else {
      const size1 = (OP_SIZES[opBase + 1]! >>> 16) as OperandSize;
      if (shape === SHAPE_E_G) operands = [e, REG_POOL[regIndex(RC_GPR, (modrm >> 3) & 7, size1)] ?? regOperand(RC_GPR, (modrm >> 3) & 7, size1)];
      else if ((OPS[opBase + 1]! & OP_KIND_MASK) === OpKind.Ibs) {
        operands = [e, { kind: 'imm', size: 4, value: ((buf[p++]! << 24) >> 24) >>> 0 }];
      } else {
        let v: number;
        if (size1 === 1) v = buf[p++]!;
        else {
          v = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
          p += 4;
        }
        operands = [e, { kind: 'imm', size: size1, value: v }];
      }
    }
    if (cache !== null) cache[staticKey(modrm, 4, -1)] = Object.freeze(operands);
  } else if (operands === NO_OPERANDS && (info >> I_NOPS_SHIFT) & 3) {
    // Everything else: the general per-operand loop (operand-loop.ts).
    const ops = decodeOperandLoop(buf, p, fid, (info >> I_NOPS_SHIFT) & 3, modrm, 4, 4, -1, a, disp, -1, opcode, address, offset);
    // Unknown operand kinds and undefined segment-register fields: decodeGeneral says what they are.
    if (ops === null || LOOP_OUT[1] !== 0) return decodeGeneral(bytes, offset, address, mode);
    p = LOOP_OUT[0]!;
    operands = ops;
    if (cache !== null) cache[staticKey(modrm, 4, -1)] = Object.freeze(ops);
  }
  return new DecodedRecord(address, p - offset, FORMS[fid]!, operands, STATUS_OK | (dispSize << B_DISPSIZE_SHIFT), (modrm + 1) | ((sib + 1) << 9));
}

/** Sequentially decode a buffer (disassembler, tests, bench). */
export function* decodeAll(bytes: Uint8Array, base: number, mode: DecodeMode = MODE32): Generator<DecodedInsn> {
  let off = 0;
  while (off < bytes.length) {
    const insn = decode(bytes, off, (base + off) >>> 0, mode);
    yield insn;
    off += insn.length > 0 ? insn.length : 1;
  }
}
