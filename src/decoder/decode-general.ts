/**
 * The general x86 (IA-32) decoder: every encoding decode.ts's fast path
 * hands over. That is legacy prefixes (66/67, F2/F3, lock, segment
 * overrides), 16-bit code segments, the 0F38/0F3A maps, VEX, fwait glued to
 * an x87 control form, rows that depend on prefixes or rm, undefined
 * encodings, and the last 48 bytes of a buffer: 7% of the instructions of
 * 32-bit libc.
 *
 * Everything ISA-specific comes from the tables built from isa/*.isa
 * (isa-tables.ts); this file only knows the encoding machinery: legacy
 * prefixes, opcode maps, ModRM/SIB/displacement in 16- and 32-bit
 * addressing, immediates; operands come from operand-loop.ts. It never
 * throws on guest bytes: undefined encodings come back as 'invalid',
 * over-long ones as 'too-long', cut-off ones as 'truncated'.
 *
 * Bytes are read without per-byte bounds checks: near the end of the input
 * they are copied into a zero-padded scratch buffer first, and a read past
 * `limit` shows as p > limit at the next check. Prefixes are classified by a
 * 256-entry table; the row comes from one array load for unconditional
 * slots, a second one for the others in the plain state (no 66/F2/F3,
 * 32-bit sizes) and a memoised state lookup otherwise (form-select.ts).
 */
import { A_SIB, address32, displacement, MODRM16 } from './addressing.js';
import {
  DECODE_INDEX, fillDecodeIndex, I_IGNORES_MOD, I_LOCKABLE, I_NOPS_SHIFT, I_PFX_MASK, I_REP_SHIFT, I_STATIC_SHIFT, REP_NONE, REP_REP,
  SLOT_CONDITIONAL,
} from './decode-index.js';
import type { DecoderForm } from './form.js';
import { PFX_66, PFX_F2, PFX_F3 } from './form.js';
import { pick, pickVex, plainRow, selectConditional } from './form-select.js';
import { decodeOperandLoop, LOOP_OUT } from './operand-loop.js';
import {
  DecodedRecord, packBits, REP_CODE_NONE, REP_CODE_REP, REP_CODE_REPE, REP_CODE_REPNE, STATUS_INVALID, STATUS_OK, STATUS_TOO_LONG, STATUS_TRUNCATED,
} from './decoded-record.js';
import type { DecodeMode } from './decode.js';
import type { DecodedInsn, Operand } from './insn.js';
import { getTables, type IsaTables } from './isa-tables.js';
import { STATIC_ALWAYS, STATIC_IF_REG, STATIC_KEYS, STATIC_KEYS_LEGACY, staticKey } from './static-operands.js';

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
export const FAST_SPAN = 48;
const SCRATCH = new Uint8Array(64);

let T: IsaTables | null = null;
/** Filled on the first decode; module constants so V8 embeds the arrays in the optimised code. */
const IX = DECODE_INDEX;
const FORMS = IX.forms;
const INFO = IX.info;
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

/** The isa tables, and DECODE_INDEX filled from them, on first use. */
export function decoderTables(): IsaTables {
  let tables = T;
  if (tables === null) {
    tables = T = getTables();
    fillDecodeIndex(IX, tables);
  }
  return tables;
}

/** decode() (decode.ts) for any instruction: same arguments, same result. */
export function decodeGeneral(bytes: Uint8Array, offset: number, address: number, mode: DecodeMode): DecodedInsn {
  const tables = decoderTables();
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

  // ModRM memory addressing: base, index, scale, displacement size and default segment in one word (addressing.ts).
  let a = 0;
  let sib = -1;
  let dispSize = 0;
  let disp = 0;
  if (modrm >= 0 && modrm < 0xc0 && (info & I_IGNORES_MOD) === 0) {
    a = addrSize === 4 ? address32(modrm, buf[p]!) : MODRM16[modrm]!;
    if ((a & A_SIB) !== 0) sib = buf[p++]!;
    dispSize = (a >> 12) & 15;
    disp = displacement(buf, p, dispSize);
    p += dispSize;
    if (p > limit) return cutOff(address, offset, end, opSize, addrSize);
  }

  const n = (info >> I_NOPS_SHIFT) & 3;
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
  if (n > 0 && operands === NO_OPERANDS) {
    const ops = decodeOperandLoop(buf, p, fid, n, modrm, opSize, addrSize, seg, a, disp, vexReg, opcode, address, start);
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
  const bits = packBits(STATUS_OK, opSize, addrSize, lock, repCode, seg, prefixLen, dispSize, fwait);
  return new DecodedRecord(address, length, FORMS[fid]!, operands, bits, (modrm + 1) | ((sib + 1) << 9));
}
