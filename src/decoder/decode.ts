/**
 * The x86 (IA-32) instruction decoder: guest bytes → DecodedInsn.
 *
 * Everything ISA-specific comes from the tables built from isa/*.isa
 * (isa-tables.ts); this file only knows the encoding machinery: legacy
 * prefixes, opcode maps, ModRM/SIB/displacement in 16- and 32-bit
 * addressing, immediates, and how each operand kind (operand-specs.ts) is
 * materialised. It never throws on guest bytes: undefined encodings come back
 * as 'invalid', over-long ones as 'too-long', cut-off ones as 'truncated'.
 *
 * Hot path: one call per guest instruction, in the translator and in
 * `btvm disasm` (≥ 15 M instructions/s, bench/decode.bench.ts). So: the
 * read position is a local; bytes are read without per-byte bounds checks
 * (near the end of the input the bytes are copied into a zero-padded
 * scratch buffer first, and a read past `limit` shows as p > limit at the
 * next check); prefixes are classified by a 256-entry table; the row comes
 * from one array load for unconditional slots, a second one for the others
 * in the plain state (no 66/F2/F3, 32-bit sizes) and a memoised state
 * lookup otherwise (form-select.ts); register operands are shared frozen
 * objects (register-operands.ts). Allocation per instruction: the result (a
 * six-field DecodedRecord, decoded-record.ts), the operand array unless a
 * shared register-only one applies, and one object per memory/immediate/
 * branch operand.
 */
import { A_SIB, A_SS, MODRM16, MODRM32, SIB32 } from './addressing.js';
import {
  fillDecodeIndex, I_IGNORES_MOD, I_LOCKABLE, I_NOPS_SHIFT, I_PFX_MASK, I_REP_SHIFT, I_SHAPE_SHIFT, I_STATIC_SHIFT, MAX_OPERANDS,
  DECODE_INDEX, OP_KIND_MASK, REP_NONE,
  REP_REP, SHAPE_E, SHAPE_E_G, SHAPE_G_E, SHAPE_GENERIC, SHAPE_J, SLOT_CONDITIONAL,
} from './decode-index.js';
import type { DecoderForm } from './form.js';
import { PFX_66, PFX_F2, PFX_F3 } from './form.js';
import { pick, pickVex, plainRow, selectConditional } from './form-select.js';
import { decodeOperandLoop, LOOP_OUT } from './operand-loop.js';
import {
  B_ADDRSIZE16, B_DISPSIZE_SHIFT, B_FWAIT, B_LOCK, B_OPSIZE16, B_PREFIXLEN_SHIFT, B_REP_SHIFT, B_SEG_SHIFT, DecodedRecord, packBits,
  REP_CODE_NONE, REP_CODE_REP, REP_CODE_REPE, REP_CODE_REPNE, STATUS_INVALID, STATUS_OK, STATUS_TOO_LONG, STATUS_TRUNCATED,
} from './decoded-record.js';
import type { DecodedInsn, Operand, OperandSize } from './insn.js';
import { getTables, type IsaTables } from './isa-tables.js';
import { OpKind } from './operand-specs.js';
import { STATIC_ALWAYS, STATIC_IF_REG, STATIC_KEYS, STATIC_KEYS_LEGACY, staticKey } from './static-operands.js';
import { RC_GPR, REG_POOL, regIndex, regOperand } from './register-operands.js';

export interface DecodeMode {
  readonly opSize: 2 | 4;
  readonly addrSize: 2 | 4;
}

export const MODE32: DecodeMode = Object.freeze({ opSize: 4, addrSize: 4 });
export const MODE16: DecodeMode = Object.freeze({ opSize: 2, addrSize: 2 });

const SEG_SS = 2;
const SEG_DS = 3;
const NO_OPERANDS: readonly Operand[] = Object.freeze([]);

/** Legacy prefix classes: 0 not a prefix, 1 = 66, 2 = 67, 3 = F0, 4 = F2/F3, SEG_BASE + n = segment n. */
const PFX_OPSIZE = 1;
const PFX_ADDRSIZE = 2;
const PFX_LOCK = 3;
const SEG_BASE = 8;
const PREFIX_CLASS = new Uint8Array(256);
PREFIX_CLASS[0x66] = PFX_OPSIZE;
PREFIX_CLASS[0x67] = PFX_ADDRSIZE;
PREFIX_CLASS[0xf0] = PFX_LOCK;
PREFIX_CLASS[0xf2] = 4;
PREFIX_CLASS[0xf3] = 4;
PREFIX_CLASS[0x26] = SEG_BASE + 0;
PREFIX_CLASS[0x2e] = SEG_BASE + 1;
PREFIX_CLASS[0x36] = SEG_BASE + 2;
PREFIX_CLASS[0x3e] = SEG_BASE + 3;
PREFIX_CLASS[0x64] = SEG_BASE + 4;
PREFIX_CLASS[0x65] = SEG_BASE + 5;

/**
 * Reads need no bounds check while at least this many bytes follow the
 * instruction start: 15 bytes of instruction plus the most any path reads
 * after hitting the limit (escape 2, VEX 3, ModRM, SIB, disp32, immediates
 * ≤ 12) before its next p > limit check.
 */
const FAST_SPAN = 48;
const SCRATCH = new Uint8Array(64);

let T: IsaTables | null = null;
/** Filled on the first decode; module constants so V8 embeds the arrays in the optimised code. */
const IX = DECODE_INDEX;
const FORMS = IX.forms;
const INFO = IX.info;
const OPS = IX.ops;
const OP_SIZES = IX.opSizes;
const SLOT = IX.slot;
const PLAIN = IX.plain;
const MODRM_NEED = IX.modrmNeed;
const STATIC_OPS = IX.staticOps;

function result(
  address: number, length: number, status: number, opSize: 2 | 4, addrSize: 2 | 4, lock: boolean, segOverride: number,
  prefixLen: number, modrm: number, sib: number, dispSize: number,
): DecodedInsn {
  const bits = packBits(status, opSize, addrSize, lock, REP_CODE_NONE, segOverride, prefixLen, dispSize, false);
  return new DecodedRecord(address, length, null, NO_OPERANDS, bits, (modrm + 1) | ((sib + 1) << 9));
}

/** The input ran out (truncated) or the 15-byte limit was hit (too-long). */
function cutOff(address: number, offset: number, end: number, opSize: 2 | 4, addrSize: 2 | 4): DecodedInsn {
  if (end < offset + 15) {
    return result(address, end - offset, STATUS_TRUNCATED, opSize, addrSize, false, -1, 0, -1, -1, 0);
  }
  return result(address, 15, STATUS_TOO_LONG, opSize, addrSize, false, -1, 0, -1, -1, 0);
}

/** An undefined encoding: #UD when executed. The length covers what was read. */
function bad(
  address: number, length: number, opSize: 2 | 4, addrSize: 2 | 4, prefixLen: number, lock: boolean, seg: number, modrm: number,
): DecodedInsn {
  return result(address, length, STATUS_INVALID, opSize, addrSize, lock, seg, prefixLen, modrm, -1, 0);
}

/**
 * Decode one instruction at bytes[offset]. `address` is its linear address
 * (for relative targets); `mode` is the code segment's default sizes.
 */
export function decode(bytes: Uint8Array, offset: number, address: number, mode: DecodeMode = MODE32): DecodedInsn {
  let tables = T;
  if (tables === null) {
    tables = T = getTables();
    fillDecodeIndex(IX, tables);
  }
  const end = bytes.length;
  // buf[p] is the next byte; start is the instruction's first byte in buf; limit is where reading must stop.
  let buf = bytes;
  let p = offset;
  let start = offset;
  let limit = offset + 15;
  if (end - offset < FAST_SPAN) {
    const avail = end - offset;
    SCRATCH.fill(0);
    if (avail > 0) SCRATCH.set(bytes.subarray(offset, end));
    buf = SCRATCH;
    p = 0;
    start = 0;
    limit = avail < 15 ? avail : 15;
  }
  const defOp = mode.opSize;
  const defAddr = mode.addrSize;
  let seg = -1;
  let lock = false;
  let rep = 0;
  let has66 = false;
  let has67 = false;
  let b = 0;
  // Legacy prefixes, any order, any count up to the 15-byte limit; the last of each kind counts.
  for (;;) {
    if (p >= limit) return cutOff(address, offset, end, defOp, defAddr);
    b = buf[p++]!;
    const c = PREFIX_CLASS[b]!;
    if (c === 0) break;
    if (c >= SEG_BASE) seg = c - SEG_BASE;
    else if (c === PFX_OPSIZE) has66 = true;
    else if (c === PFX_ADDRSIZE) has67 = true;
    else if (c === PFX_LOCK) lock = true;
    else rep = b;
  }
  const prefixLen = p - 1 - start;
  let opSize: 2 | 4 = has66 ? (defOp === 4 ? 2 : 4) : defOp;
  const addrSize: 2 | 4 = has67 ? (defAddr === 4 ? 2 : 4) : defAddr;
  let map = 0;
  if (b === 0x0f) {
    b = buf[p++]!;
    map = 1;
    if (b === 0x38 || b === 0x3a) {
      map = b === 0x38 ? 2 : 3;
      b = buf[p++]!;
    }
    if (p > limit) return cutOff(address, offset, end, opSize, addrSize);
  }
  let opcode = b;
  let need = MODRM_NEED[map * 256 + opcode]!;
  let modrm = -1;
  let form: DecoderForm | null = null;
  let fwait = false;
  if (map === 0 && opcode === 0x9b && prefixLen === 0 && p + 1 < limit) {
    // fwait glued to a following x87 control form (9B D9 /7 = fstcw …), as objdump shows it.
    const x = buf[p]!;
    const m = buf[p + 1]!;
    if (x >= 0xd8 && x <= 0xdf) {
      // fn* control forms become f* (fnstsw → fstsw); other x87 forms keep their name.
      const fl = tables.fwait[x * 8 + ((m >> 3) & 7)];
      let f = fl != null ? pick(fl, m, false, 0, opSize, addrSize) : null;
      if (f === null) {
        const nl = tables.cands[x * 8 + ((m >> 3) & 7)];
        f = nl != null ? pick(nl, m, false, 0, opSize, addrSize) : null;
      }
      if (f !== null) {
        form = f;
        opcode = x;
        modrm = m;
        p += 2;
        need = 2;
        fwait = true;
      }
    }
  }
  let vexReg = -1;
  if ((b === 0xc4 || b === 0xc5) && map === 0 && p < limit && buf[p]! >= 0xc0) {
    // VEX (AVX): outside 64-bit mode C4/C5 followed by mod=11 cannot be les/lds.
    const v1 = buf[p++]!;
    let v2 = v1;
    let vexW = 0;
    if (b === 0xc4) {
      map = v1 & 0x1f;
      v2 = buf[p++]!;
      vexW = v2 >> 7;
    } else map = 1;
    opcode = buf[p++]!;
    if (p > limit) return cutOff(address, offset, end, opSize, addrSize);
    // 66/F2/F3/F0 before VEX are #UD; vvvv bit 3 is ignored outside 64-bit mode.
    if (has66 || rep !== 0 || lock || map < 1 || map > 3) return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, -1);
    vexReg = (~v2 >> 3) & 7;
    need = tables.vexModrmNeed[map * 256 + opcode]!;
    if (need === 0) return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, -1);
    if (need === 2) {
      modrm = buf[p++]!;
      if (p > limit) return cutOff(address, offset, end, opSize, addrSize);
    }
    const list = tables.vexCands[map * 2048 + opcode * 8 + (need === 2 ? (modrm >> 3) & 7 : 0)];
    form = list != null ? pickVex(list, modrm, v2 & 3, (v2 >> 2) & 1, vexW) : null;
    if (form === null) return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, modrm);
  }
  let fid: number;
  if (form !== null) fid = form.id;
  else {
    if (need === 0) return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, -1);
    let slot = map * 2048 + opcode * 8;
    if (need === 2) {
      modrm = buf[p++]!;
      if (p > limit) return cutOff(address, offset, end, opSize, addrSize);
      slot += (modrm >> 3) & 7;
    }
    fid = SLOT[slot]! - 1;
    if (fid < 0) {
      if (fid + 1 !== SLOT_CONDITIONAL) return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, modrm);
      if (!has66 && rep === 0 && opSize === 4 && addrSize === 4) {
        // No 66/F2/F3 and 32-bit sizes (almost all 32-bit code): the row depends on mod at most (form-select.ts plainRow).
        const k = (slot << 1) | (modrm >= 0xc0 ? 1 : 0);
        let v = PLAIN[k]!;
        if (v === 0) v = PLAIN[k] = plainRow(IX, slot, modrm);
        fid = v - 1;
      }
      if (fid < 0) fid = selectConditional(IX, slot, modrm, has66, rep, opSize, addrSize);
      if (fid < 0) return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, modrm);
    }
  }
  const info = INFO[fid]!;
  // A mandatory prefix is part of the opcode, not a size or repeat prefix.
  const fpfx = info & I_PFX_MASK;
  if (fpfx === PFX_66) opSize = defOp;
  let repCode = REP_CODE_NONE;
  if (rep !== 0) {
    const repMode = (info >> I_REP_SHIFT) & 3;
    if (repMode !== REP_NONE && fpfx !== PFX_F3 && fpfx !== PFX_F2) {
      repCode = repMode === REP_REP ? REP_CODE_REP : rep === 0xf3 ? REP_CODE_REPE : REP_CODE_REPNE;
    }
  }
  // Decoding goes on for an encoding that is #UD only because of its prefixes or
  // register field, so its length is known (a disassembler can step over it).
  let undefinedHere = lock && ((info & I_LOCKABLE) === 0 || modrm >= 0xc0);

  // ModRM memory addressing: SIB and displacement.
  let sib = -1;
  let dispSize = 0;
  let base = -1;
  let index = -1;
  let scale: 1 | 2 | 4 | 8 = 1;
  let disp = 0;
  let defSeg = SEG_DS;
  if (modrm >= 0 && modrm < 0xc0 && (info & I_IGNORES_MOD) === 0) {
    // Table-driven (addressing.ts): base, index, scale, displacement size and default segment in one int.
    let a: number;
    if (addrSize === 4) {
      a = MODRM32[modrm]!;
      if ((a & A_SIB) !== 0) {
        sib = buf[p++]!;
        a = (a & 0xf000) | SIB32[sib | (modrm < 0x40 ? 256 : 0)]!;
      }
    } else a = MODRM16[modrm]!;
    base = (a & 15) - 1;
    index = ((a >> 4) & 15) - 1;
    scale = (1 << ((a >> 8) & 3)) as 1 | 2 | 4 | 8;
    dispSize = (a >> 12) & 15;
    if ((a & A_SS) !== 0) defSeg = SEG_SS;
    if (dispSize === 1) disp = (buf[p++]! << 24) >> 24;
    else if (dispSize === 4) {
      disp = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
      p += 4;
    } else if (dispSize === 2) {
      disp = ((buf[p]! | (buf[p + 1]! << 8)) << 16) >> 16;
      p += 2;
    }
    if (p > limit) return cutOff(address, offset, end, opSize, addrSize);
  }

  const n = (info >> I_NOPS_SHIFT) & 3;
  const opBase = fid * MAX_OPERANDS;
  const isReg = modrm >= 0xc0;
  let operands: readonly Operand[] = NO_OPERANDS;
  // Register-only operand lists are shared (static-operands.ts): look one up, or build it below and keep it.
  let cache: (readonly Operand[] | null)[] | null = null;
  let cacheKey = 0;
  const sk = (info >> I_STATIC_SHIFT) & 3;
  if (sk === STATIC_ALWAYS || (sk === STATIC_IF_REG && isReg)) {
    cache = STATIC_OPS[fid] ?? (STATIC_OPS[fid] = new Array<readonly Operand[] | null>(vexReg >= 0 ? STATIC_KEYS : STATIC_KEYS_LEGACY).fill(null));
    cacheKey = staticKey(modrm, opSize, vexReg);
    const hit = cache[cacheKey] as readonly Operand[] | null;
    if (hit !== null) operands = hit;
  }
  const shape = (info >> I_SHAPE_SHIFT) & 7;
  // Operand sizes come resolved for both operand sizes (decode-index.ts); this picks the half.
  const szShift = opSize === 4 ? 16 : 0;
  if (operands === NO_OPERANDS && shape !== SHAPE_GENERIC) {
    // The common operand lists (decode-index.ts SHAPE_*), built directly; the loop below does the rest.
    const size0 = ((OP_SIZES[opBase]! >>> szShift) & 0xffff) as OperandSize;
    if (shape === SHAPE_J) {
      let d: number;
      if (size0 === 1) d = (buf[p++]! << 24) >> 24;
      else if (size0 === 2) {
        d = ((buf[p]! | (buf[p + 1]! << 8)) << 16) >> 16;
        p += 2;
      } else {
        d = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
        p += 4;
      }
      const next = (address + (p - start)) | 0;
      operands = [{ kind: 'rel', size: opSize, target: opSize === 4 ? (next + d) >>> 0 : (next + d) & 0xffff }];
    } else {
      const effSeg = seg >= 0 ? seg : defSeg;
      // The E operand is first except in G,E.
      const esize = ((OP_SIZES[shape === SHAPE_G_E ? opBase + 1 : opBase]! >>> szShift) & 0xffff) as OperandSize;
      let e: Operand;
      if (isReg) {
        const r = regIndex(RC_GPR, modrm & 7, esize);
        e = REG_POOL[r] ?? regOperand(RC_GPR, modrm & 7, esize);
      } else e = { kind: 'mem', size: esize, seg: effSeg, segOverride: seg >= 0, base, index, scale, disp, addrSize, moffs: false };
      if (shape === SHAPE_E) operands = [e];
      else if (shape === SHAPE_G_E) operands = [REG_POOL[regIndex(RC_GPR, (modrm >> 3) & 7, size0)] ?? regOperand(RC_GPR, (modrm >> 3) & 7, size0), e];
      else {
        const w1 = OPS[opBase + 1]!;
        const size1 = ((OP_SIZES[opBase + 1]! >>> szShift) & 0xffff) as OperandSize;
        if (shape === SHAPE_E_G) operands = [e, REG_POOL[regIndex(RC_GPR, (modrm >> 3) & 7, size1)] ?? regOperand(RC_GPR, (modrm >> 3) & 7, size1)];
        else if ((w1 & OP_KIND_MASK) === OpKind.Ibs) {
          const v = (buf[p++]! << 24) >> 24;
          operands = [e, { kind: 'imm', size: opSize, value: opSize === 4 ? v >>> 0 : v & 0xffff }];
        } else {
          let v: number;
          if (size1 === 1) v = buf[p++]!;
          else if (size1 === 2) {
            v = buf[p]! | (buf[p + 1]! << 8);
            p += 2;
          } else {
            v = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
            p += 4;
          }
          operands = [e, { kind: 'imm', size: size1, value: v }];
        }
      }
    }
  }
  if (n > 0 && operands === NO_OPERANDS) {
    // Everything else: the general per-operand loop (operand-loop.ts), out of line to keep this function small.
    const ops = decodeOperandLoop(buf, p, fid, n, modrm, opSize, addrSize, seg, defSeg, base, index, scale, disp, vexReg, opcode, address, start);
    p = LOOP_OUT[0]!;
    if (ops === null) return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, modrm);
    if (LOOP_OUT[1] !== 0) undefinedHere = true;
    operands = ops;
    if (cache !== null) cache[cacheKey] = Object.freeze(ops);
  }
  if (p > limit) return cutOff(address, offset, end, opSize, addrSize);
  const length = p - start;
  if (undefinedHere) {
    return result(address, length, STATUS_INVALID, opSize, addrSize, lock, seg, prefixLen, modrm, sib, dispSize);
  }
  // packBits() written out: the hot path must not depend on V8 choosing to inline a call.
  const bits = STATUS_OK | (opSize === 2 ? B_OPSIZE16 : 0) | (addrSize === 2 ? B_ADDRSIZE16 : 0) | (lock ? B_LOCK : 0) |
    (repCode << B_REP_SHIFT) | ((seg + 1) << B_SEG_SHIFT) | (prefixLen << B_PREFIXLEN_SHIFT) | (dispSize << B_DISPSIZE_SHIFT) |
    (fwait ? B_FWAIT : 0);
  return new DecodedRecord(address, length, FORMS[fid]!, operands, bits, (modrm + 1) | ((sib + 1) << 9));
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
