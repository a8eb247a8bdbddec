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
 * from one array load for unconditional slots and a memoised state lookup
 * otherwise (form-select.ts); register operands are shared frozen objects
 * (register-operands.ts). Allocation per instruction: the result, the
 * operand array, and one object per memory/immediate/branch operand.
 */
import type { DecoderForm } from './form.js';
import { PFX_66, PFX_F2, PFX_F3 } from './form.js';
import { makeSlotIndex, pick, pickVex, selectConditional, type SlotIndex } from './form-select.js';
import type { DecodedInsn, DecodeStatus, InsnClass, MemOperand, Operand, OperandSize, RepKind } from './insn.js';
import { getTables, type IsaTables } from './isa-tables.js';
import { OpKind, SZ_P, SZ_V, type OperandSpec } from './operand-specs.js';
import { makeStaticOperands, STATIC_ALWAYS, STATIC_IF_REG, STATIC_KEYS, STATIC_KEYS_LEGACY, staticKey, type StaticOperands } from './static-operands.js';
import { RC_CR, RC_DR, RC_GPR, RC_MM, RC_SEG, RC_ST, RC_TR, RC_XMM, regOperand } from './register-operands.js';

export interface DecodeMode {
  readonly opSize: 2 | 4;
  readonly addrSize: 2 | 4;
}

export const MODE32: DecodeMode = Object.freeze({ opSize: 4, addrSize: 4 });
export const MODE16: DecodeMode = Object.freeze({ opSize: 2, addrSize: 2 });

const SEG_ES = 0;
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
let IX: SlotIndex | null = null;
let SO: StaticOperands | null = null;

function resolveSize(s: number, opSize: number): OperandSize {
  if (s >= 0) return s as OperandSize;
  if (s === SZ_V) return opSize as OperandSize;
  if (s === SZ_P) return (opSize + 2) as OperandSize;
  return (opSize * 2) as OperandSize; // SZ_A
}

/** Every memory operand is built here, so all have one shape. */
function mem(
  size: OperandSize, seg: number, segOverride: boolean, base: number, index: number, scale: 1 | 2 | 4 | 8, disp: number,
  addrSize: 2 | 4, moffs: boolean,
): MemOperand {
  return { kind: 'mem', size, seg, segOverride, base, index, scale, disp, addrSize, moffs };
}

function result(
  address: number, length: number, status: DecodeStatus, form: DecoderForm | null, cls: InsnClass, opSize: 2 | 4,
  addrSize: 2 | 4, lock: boolean, rep: RepKind, segOverride: number, operands: readonly Operand[], prefixLen: number,
  modrm: number, sib: number, dispSize: number, fwait: boolean,
): DecodedInsn {
  return {
    address, length, status, form, mnemonic: form === null ? '(bad)' : form.mnemonic, cls, opSize, addrSize, lock, rep,
    segOverride, operands, prefixLen, modrm, sib, dispSize, fwait,
  };
}

/** The input ran out (truncated) or the 15-byte limit was hit (too-long). */
function cutOff(address: number, offset: number, end: number, opSize: 2 | 4, addrSize: 2 | 4): DecodedInsn {
  if (end < offset + 15) {
    return result(address, end - offset, 'truncated', null, 'innocuous', opSize, addrSize, false, 0, -1, NO_OPERANDS, 0, -1, -1, 0, false);
  }
  return result(address, 15, 'too-long', null, 'innocuous', opSize, addrSize, false, 0, -1, NO_OPERANDS, 0, -1, -1, 0, false);
}

/** An undefined encoding: #UD when executed. The length covers what was read. */
function bad(
  address: number, length: number, opSize: 2 | 4, addrSize: 2 | 4, prefixLen: number, lock: boolean, seg: number, modrm: number,
): DecodedInsn {
  return result(address, length, 'invalid', null, 'innocuous', opSize, addrSize, lock, 0, seg, NO_OPERANDS, prefixLen, modrm, -1, 0, false);
}

/**
 * Decode one instruction at bytes[offset]. `address` is its linear address
 * (for relative targets); `mode` is the code segment's default sizes.
 */
export function decode(bytes: Uint8Array, offset: number, address: number, mode: DecodeMode = MODE32): DecodedInsn {
  let tables = T;
  if (tables === null) {
    tables = T = getTables();
    IX = makeSlotIndex(tables);
    SO = makeStaticOperands(tables.forms);
  }
  const ix = IX!;
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
  let need = tables.modrmNeed[map * 256 + opcode]!;
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
  if (form === null) {
    if (need === 0) return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, -1);
    let slot = map * 2048 + opcode * 8;
    if (need === 2) {
      modrm = buf[p++]!;
      if (p > limit) return cutOff(address, offset, end, opSize, addrSize);
      slot += (modrm >> 3) & 7;
    }
    form = ix.direct[slot] as DecoderForm | null;
    if (form === null) {
      if (ix.cands[slot] == null) return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, modrm);
      form = selectConditional(ix, slot, modrm, has66, rep, opSize, addrSize);
      if (form === null) return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, modrm);
    }
  }
  // A mandatory prefix is part of the opcode, not a size or repeat prefix.
  const fpfx = form.pfx;
  if (fpfx === PFX_66) opSize = defOp;
  let repKind: RepKind = 0;
  if (rep !== 0 && form.repMode !== 'none' && fpfx !== PFX_F3 && fpfx !== PFX_F2) {
    repKind = form.repMode === 'rep' ? 'rep' : rep === 0xf3 ? 'repe' : 'repne';
  }
  // Decoding goes on for an encoding that is #UD only because of its prefixes or
  // register field, so its length is known (a disassembler can step over it).
  let undefinedHere = lock && (!form.lockable || modrm >= 0xc0);

  // ModRM memory addressing: SIB and displacement.
  let sib = -1;
  let dispSize = 0;
  let base = -1;
  let index = -1;
  let scale: 1 | 2 | 4 | 8 = 1;
  let disp = 0;
  let defSeg = SEG_DS;
  if (modrm >= 0 && modrm < 0xc0 && !form.ignoresMod) {
    const mod = modrm >> 6;
    const rm = modrm & 7;
    if (addrSize === 4) {
      if (rm === 4) {
        sib = buf[p++]!;
        base = sib & 7;
        index = (sib >> 3) & 7;
        scale = (1 << (sib >> 6)) as 1 | 2 | 4 | 8;
        if (index === 4) index = -1;
        if (base === 5 && mod === 0) {
          base = -1;
          dispSize = 4;
        }
      } else if (rm === 5 && mod === 0) {
        dispSize = 4;
      } else {
        base = rm;
      }
      if (mod === 1) dispSize = 1;
      else if (mod === 2) dispSize = 4;
      if (base === 4 || base === 5) defSeg = SEG_SS;
      if (dispSize === 1) disp = (buf[p++]! << 24) >> 24;
      else if (dispSize === 4) {
        disp = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
        p += 4;
      }
    } else {
      if (mod === 0 && rm === 6) {
        dispSize = 2;
      } else {
        // 16-bit forms: bx+si, bx+di, bp+si, bp+di, si, di, bp, bx.
        base = rm < 4 ? (rm < 2 ? 3 : 5) : rm === 4 ? 6 : rm === 5 ? 7 : rm === 6 ? 5 : 3;
        index = rm < 4 ? ((rm & 1) === 0 ? 6 : 7) : -1;
        if (base === 5) defSeg = SEG_SS;
      }
      if (mod === 1) dispSize = 1;
      else if (mod === 2) dispSize = 2;
      if (dispSize === 1) disp = (buf[p++]! << 24) >> 24;
      else if (dispSize === 2) {
        disp = ((buf[p]! | (buf[p + 1]! << 8)) << 16) >> 16;
        p += 2;
      }
    }
    if (p > limit) return cutOff(address, offset, end, opSize, addrSize);
  }

  const specs = ix.ops[form.id]!;
  const n = specs.length;
  const isReg = modrm >= 0xc0;
  let operands: readonly Operand[] = NO_OPERANDS;
  // Register-only operand lists are shared (static-operands.ts): look one up, or build it below and keep it.
  let cache: (readonly Operand[] | null)[] | null = null;
  let cacheKey = 0;
  const sk = SO!.kind[form.id]!;
  if (sk === STATIC_ALWAYS || (sk === STATIC_IF_REG && isReg)) {
    cache = SO!.cache[form.id] ?? (SO!.cache[form.id] = new Array<readonly Operand[] | null>(form.vex ? STATIC_KEYS : STATIC_KEYS_LEGACY).fill(null));
    cacheKey = staticKey(modrm, opSize, vexReg);
    const hit = cache[cacheKey] as readonly Operand[] | null;
    if (hit !== null) operands = hit;
  }
  if (n > 0 && operands === NO_OPERANDS) {
    let o0: Operand | null = null;
    let o1: Operand | null = null;
    let o2: Operand | null = null;
    const effSeg = seg >= 0 ? seg : defSeg;
    for (let i = 0; i < n; i++) {
      const s: OperandSpec = specs[i]!;
      let o: Operand;
      switch (s.kind) {
        case OpKind.E:
        case OpKind.M:
          if (isReg) o = regOperand(RC_GPR, modrm & 7, resolveSize(s.size, opSize));
          else {
            const size = s.memSize !== 0 ? (s.memSize as OperandSize) : resolveSize(s.size, opSize);
            o = mem(size, effSeg, seg >= 0, base, index, scale, disp, addrSize, false);
          }
          break;
        case OpKind.Q:
          if (isReg) o = regOperand(RC_MM, modrm & 7, 8);
          else o = mem(s.size as OperandSize, effSeg, seg >= 0, base, index, scale, disp, addrSize, false);
          break;
        case OpKind.W:
          if (isReg) o = regOperand(RC_XMM, modrm & 7, s.size === 32 ? 32 : 16);
          else o = mem(s.size as OperandSize, effSeg, seg >= 0, base, index, scale, disp, addrSize, false);
          break;
        case OpKind.R:
        case OpKind.H:
          o = regOperand(RC_GPR, modrm & 7, resolveSize(s.size, opSize));
          break;
        case OpKind.G:
          o = regOperand(RC_GPR, (modrm >> 3) & 7, resolveSize(s.size, opSize));
          break;
        case OpKind.S: {
          const r = (modrm >> 3) & 7;
          if (r > 5) undefinedHere = true;
          o = regOperand(RC_SEG, r, 2);
          break;
        }
        case OpKind.C:
          o = regOperand(RC_CR, (modrm >> 3) & 7, 4);
          break;
        case OpKind.D:
          o = regOperand(RC_DR, (modrm >> 3) & 7, 4);
          break;
        case OpKind.T:
          o = regOperand(RC_TR, (modrm >> 3) & 7, 4);
          break;
        case OpKind.I: {
          const size = resolveSize(s.size, opSize);
          let v: number;
          if (size === 1) v = buf[p++]!;
          else if (size === 2) {
            v = buf[p]! | (buf[p + 1]! << 8);
            p += 2;
          } else {
            v = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
            p += 4;
          }
          o = { kind: 'imm', size, value: v };
          break;
        }
        case OpKind.Ibs: {
          const v = (buf[p++]! << 24) >> 24;
          o = { kind: 'imm', size: opSize, value: opSize === 4 ? v >>> 0 : v & 0xffff };
          break;
        }
        case OpKind.J: {
          const size = resolveSize(s.size, opSize);
          let d: number;
          if (size === 1) d = (buf[p++]! << 24) >> 24;
          else if (size === 2) {
            d = ((buf[p]! | (buf[p + 1]! << 8)) << 16) >> 16;
            p += 2;
          } else {
            d = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
            p += 4;
          }
          const next = (address + (p - start)) | 0;
          o = { kind: 'rel', size: opSize, target: opSize === 4 ? (next + d) >>> 0 : (next + d) & 0xffff };
          break;
        }
        case OpKind.O: {
          let off: number;
          if (addrSize === 4) {
            off = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
            p += 4;
          } else {
            off = buf[p]! | (buf[p + 1]! << 8);
            p += 2;
          }
          o = mem(resolveSize(s.size, opSize), seg >= 0 ? seg : SEG_DS, seg >= 0, -1, -1, 1, off, addrSize, true);
          break;
        }
        case OpKind.A: {
          let off: number;
          if (opSize === 4) {
            off = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
            p += 4;
          } else {
            off = buf[p]! | (buf[p + 1]! << 8);
            p += 2;
          }
          const selector = buf[p]! | (buf[p + 1]! << 8);
          p += 2;
          o = { kind: 'far', size: resolveSize(s.size, opSize), selector, offset: off };
          break;
        }
        case OpKind.Z:
          o = regOperand(RC_GPR, opcode & 7, resolveSize(s.size, opSize));
          break;
        case OpKind.Fixed:
          o = regOperand(s.regClass, s.num, resolveSize(s.size, opSize));
          break;
        case OpKind.One:
          o = { kind: 'imm', size: 1, value: 1 };
          break;
        case OpKind.X:
        case OpKind.Xlat:
          o = mem(resolveSize(s.size, opSize), seg >= 0 ? seg : SEG_DS, seg >= 0, s.kind === OpKind.X ? 6 : 3, -1, 1, 0, addrSize, false);
          break;
        case OpKind.Y:
          o = mem(resolveSize(s.size, opSize), SEG_ES, false, 7, -1, 1, 0, addrSize, false);
          break;
        case OpKind.STi:
          o = regOperand(RC_ST, modrm & 7, 10);
          break;
        case OpKind.P:
          o = regOperand(RC_MM, (modrm >> 3) & 7, 8);
          break;
        case OpKind.N:
          o = regOperand(RC_MM, modrm & 7, 8);
          break;
        case OpKind.V:
          o = regOperand(RC_XMM, (modrm >> 3) & 7, s.size === 32 ? 32 : 16);
          break;
        case OpKind.U:
          o = regOperand(RC_XMM, modrm & 7, s.size === 32 ? 32 : 16);
          break;
        case OpKind.Vvvv:
          o = regOperand(RC_XMM, vexReg, s.size === 32 ? 32 : 16);
          break;
        default:
          return bad(address, p - start, opSize, addrSize, prefixLen, lock, seg, modrm);
      }
      if (i === 0) o0 = o;
      else if (i === 1) o1 = o;
      else o2 = o;
    }
    // Array literals: packed, one allocation (isa rows have at most three operands).
    operands = n === 1 ? [o0!] : n === 2 ? [o0!, o1!] : [o0!, o1!, o2!];
    if (cache !== null) cache[cacheKey] = Object.freeze(operands);
  }
  if (p > limit) return cutOff(address, offset, end, opSize, addrSize);
  const length = p - start;
  if (undefinedHere) {
    return result(address, length, 'invalid', null, 'innocuous', opSize, addrSize, lock, 0, seg, NO_OPERANDS, prefixLen, modrm, sib, dispSize, false);
  }
  return result(address, length, 'ok', form, form.cls, opSize, addrSize, lock, repKind, seg, operands, prefixLen, modrm, sib, dispSize, fwait);
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
