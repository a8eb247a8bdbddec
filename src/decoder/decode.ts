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
 * `btvm disasm`. Integer arithmetic, table lookups, one result object plus
 * one object per operand.
 */
import type { DecoderForm } from './form.js';
import { MOD_MEM, MOD_REG, PFX_66, PFX_ANY, PFX_F2, PFX_F3 } from './form.js';
import type { DecodedInsn, DecodeStatus, InsnClass, Operand, OperandSize, RegClass, RepKind } from './insn.js';
import { getTables, type IsaTables } from './isa-tables.js';
import { OpKind, SZ_A, SZ_P, SZ_V, type OperandSpec } from './operand-specs.js';

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

let T: IsaTables | null = null;

/** Per-call decoding state; one module-level instance keeps the hot path allocation-free. */
const st = {
  bytes: new Uint8Array(0) as Uint8Array,
  p: 0,
  limit: 0,
  fail: 0 as 0 | 1, // set when a read ran past `limit`
};

function u8(): number {
  const p = st.p;
  if (p >= st.limit) {
    st.fail = 1;
    return 0;
  }
  st.p = p + 1;
  return st.bytes[p]!;
}

function u16(): number {
  const lo = u8();
  return lo | (u8() << 8);
}

function u32(): number {
  const a = u16();
  return (a | (u16() << 16)) >>> 0;
}

function readImm(size: number): number {
  return size === 1 ? u8() : size === 2 ? u16() : u32();
}

function resolveSize(s: number, opSize: number): OperandSize {
  if (s >= 0) return s as OperandSize;
  if (s === SZ_V) return opSize as OperandSize;
  if (s === SZ_P) return (opSize + 2) as OperandSize;
  return (opSize * 2) as OperandSize; // SZ_A
}

function reg(cls: RegClass, num: number, size: OperandSize): Operand {
  return { kind: 'reg', cls, num, size };
}

function result(
  address: number, length: number, status: DecodeStatus, form: DecoderForm | null, cls: InsnClass, opSize: 2 | 4,
  addrSize: 2 | 4, lock: boolean, rep: RepKind, segOverride: number, operands: readonly Operand[], prefixLen: number,
  modrm: number, sib: number, dispSize: number, fwait = false,
): DecodedInsn {
  return {
    address, length, status, form, mnemonic: form === null ? '(bad)' : form.mnemonic, cls, opSize, addrSize, lock, rep,
    segOverride, operands, prefixLen, modrm, sib, dispSize, fwait,
  };
}

/** The form whose constraints hold for this ModRM and prefix state, or null. */
function pick(list: readonly DecoderForm[], modrm: number, has66: boolean, rep: number, opSize: number, addrSize: number): DecoderForm | null {
  for (let i = 0; i < list.length; i++) {
    const f = list[i]!;
    if (!f.constrained) return f;
    const pfx = f.pfx;
    if (pfx !== PFX_ANY) {
      if (pfx === PFX_66 ? !has66 : pfx === PFX_F3 ? rep !== 0xf3 : pfx === PFX_F2 ? rep !== 0xf2 : false) continue;
    }
    if (f.mod === MOD_MEM ? modrm >= 0xc0 : f.mod === MOD_REG ? modrm < 0xc0 : false) continue;
    if (f.rm >= 0 && (modrm & 7) !== f.rm) continue;
    // o16/o32 rows see the operand size a mandatory 66 did not consume.
    if (f.osz !== 0 && f.osz !== opSize) continue;
    if (f.asz !== 0 && f.asz !== addrSize) continue;
    return f;
  }
  return null;
}

const VEX_PP = [PFX_ANY, PFX_66, PFX_F3, PFX_F2];

/** VEX rows match VEX.pp exactly (pp = 0 means no implied prefix), VEX.L and VEX.W where the row says. */
function pickVex(list: readonly DecoderForm[], modrm: number, pp: number, l: number, w: number): DecoderForm | null {
  const pfx = VEX_PP[pp]!;
  for (let i = 0; i < list.length; i++) {
    const f = list[i]!;
    if (f.pfx !== pfx) continue;
    if (f.vexL >= 0 && f.vexL !== l) continue;
    if (f.vexW >= 0 && f.vexW !== w) continue;
    if (f.mod === MOD_MEM ? modrm >= 0xc0 : f.mod === MOD_REG ? modrm < 0xc0 : false) continue;
    if (f.rm >= 0 && (modrm & 7) !== f.rm) continue;
    return f;
  }
  return null;
}

/**
 * Decode one instruction at bytes[offset]. `address` is its linear address
 * (for relative targets); `mode` is the code segment's default sizes.
 */
export function decode(bytes: Uint8Array, offset: number, address: number, mode: DecodeMode = MODE32): DecodedInsn {
  const tables = T ?? (T = getTables());
  const end = bytes.length;
  const hardLimit = offset + 15;
  st.bytes = bytes;
  st.p = offset;
  st.limit = end < hardLimit ? end : hardLimit;
  st.fail = 0;
  const defOp = mode.opSize;
  const defAddr = mode.addrSize;
  let seg = -1;
  let lock = false;
  let rep = 0;
  let has66 = false;
  let has67 = false;
  let b = 0;
  // Legacy prefixes, any order, any count up to the 15-byte limit.
  for (;;) {
    b = u8();
    if (st.fail) return cutOff(address, offset, end, hardLimit, defOp, defAddr);
    if (b === 0x66) has66 = true;
    else if (b === 0x67) has67 = true;
    else if (b === 0xf0) lock = true;
    else if (b === 0xf2 || b === 0xf3) rep = b;
    else if (b === 0x2e) seg = 1;
    else if (b === 0x3e) seg = 3;
    else if (b === 0x26) seg = 0;
    else if (b === 0x36) seg = 2;
    else if (b === 0x64) seg = 4;
    else if (b === 0x65) seg = 5;
    else break;
  }
  const prefixLen = st.p - 1 - offset;
  let opSize: 2 | 4 = has66 ? (defOp === 4 ? 2 : 4) : defOp;
  const addrSize: 2 | 4 = has67 ? (defAddr === 4 ? 2 : 4) : defAddr;
  let map = 0;
  if (b === 0x0f) {
    b = u8();
    map = 1;
    if (b === 0x38 || b === 0x3a) {
      map = b === 0x38 ? 2 : 3;
      b = u8();
    }
    if (st.fail) return cutOff(address, offset, end, hardLimit, opSize, addrSize);
  }
  let opcode = b;
  let need = tables.modrmNeed[map * 256 + opcode]!;
  let modrm = -1;
  let form: DecoderForm | null = null;
  let fwait = false;
  if (map === 0 && opcode === 0x9b && prefixLen === 0) {
    // fwait glued to a following x87 control form (9B D9 /7 = fstcw …).
    const p = st.p;
    if (p + 1 < st.limit) {
      const x = bytes[p]!;
      const m = bytes[p + 1]!;
      if (x >= 0xd8 && x <= 0xdf) {
        // objdump shows fwait + x87 op as one instruction; fn* control forms become f* (fnstsw → fstsw).
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
          st.p = p + 2;
          need = 2;
          fwait = true;
        }
      }
    }
  }
  let vexReg = -1;
  if ((b === 0xc4 || b === 0xc5) && map === 0 && st.p < st.limit && bytes[st.p]! >= 0xc0) {
    // VEX (AVX): outside 64-bit mode C4/C5 followed by mod=11 cannot be les/lds.
    const v1 = u8();
    let v2 = v1;
    let vexW = 0;
    if (b === 0xc4) {
      map = v1 & 0x1f;
      v2 = u8();
      vexW = v2 >> 7;
    } else map = 1;
    opcode = u8();
    if (st.fail) return cutOff(address, offset, end, hardLimit, opSize, addrSize);
    // 66/F2/F3/F0 before VEX are #UD; vvvv bit 3 is ignored outside 64-bit mode.
    if (has66 || rep !== 0 || lock || map < 1 || map > 3) return bad(address, offset, opSize, addrSize, prefixLen, lock, seg, -1);
    vexReg = (~v2 >> 3) & 7;
    need = tables.vexModrmNeed[map * 256 + opcode]!;
    if (need === 0) return bad(address, offset, opSize, addrSize, prefixLen, lock, seg, -1);
    if (need === 2) {
      modrm = u8();
      if (st.fail) return cutOff(address, offset, end, hardLimit, opSize, addrSize);
    }
    const list = tables.vexCands[map * 2048 + opcode * 8 + (need === 2 ? (modrm >> 3) & 7 : 0)];
    form = list != null ? pickVex(list, modrm, v2 & 3, (v2 >> 2) & 1, vexW) : null;
    if (form === null) return bad(address, offset, opSize, addrSize, prefixLen, lock, seg, modrm);
  }
  if (form === null) {
    if (need === 0) return bad(address, offset, opSize, addrSize, prefixLen, lock, seg, -1);
    if (need === 2) {
      modrm = u8();
      if (st.fail) return cutOff(address, offset, end, hardLimit, opSize, addrSize);
    }
    const list = tables.cands[map * 2048 + opcode * 8 + (need === 2 ? (modrm >> 3) & 7 : 0)];
    if (list == null) return bad(address, offset, opSize, addrSize, prefixLen, lock, seg, modrm);
    form = pick(list, modrm, has66, rep, opSize, addrSize);
    if (form === null) return bad(address, offset, opSize, addrSize, prefixLen, lock, seg, modrm);
  }
  // A mandatory prefix is part of the opcode, not a size or repeat prefix.
  if (form.pfx === PFX_66) opSize = defOp;
  let repKind: RepKind = 0;
  if (rep !== 0 && form.repMode !== 'none' && form.pfx !== PFX_F3 && form.pfx !== PFX_F2) {
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
        sib = u8();
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
      if (dispSize === 1) disp = (u8() << 24) >> 24;
      else if (dispSize === 4) disp = u32() | 0;
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
      if (dispSize === 1) disp = (u8() << 24) >> 24;
      else if (dispSize === 2) disp = (u16() << 16) >> 16;
    }
    if (st.fail) return cutOff(address, offset, end, hardLimit, opSize, addrSize);
  }

  const specs = form.ops;
  const n = specs.length;
  let operands: Operand[] | readonly Operand[] = NO_OPERANDS;
  if (n > 0) {
    const ops: Operand[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const s: OperandSpec = specs[i]!;
      let o: Operand;
      switch (s.kind) {
        case OpKind.E:
        case OpKind.M:
          if (modrm >= 0xc0) {
            o = reg('gpr', modrm & 7, resolveSize(s.size, opSize));
          } else {
            o = {
              kind: 'mem', size: s.memSize !== 0 ? s.memSize as OperandSize : resolveSize(s.size, opSize), seg: seg >= 0 ? seg : defSeg,
              segOverride: seg >= 0, base, index, scale, disp, addrSize, moffs: false,
            };
          }
          break;
        case OpKind.Q:
        case OpKind.W:
          if (modrm >= 0xc0) o = reg(s.kind === OpKind.Q ? 'mm' : 'xmm', modrm & 7, s.kind === OpKind.Q ? 8 : s.size === 32 ? 32 : 16);
          else {
            o = {
              kind: 'mem', size: s.size as OperandSize, seg: seg >= 0 ? seg : defSeg, segOverride: seg >= 0, base, index,
              scale, disp, addrSize, moffs: false,
            };
          }
          break;
        case OpKind.R:
        case OpKind.H:
          o = reg('gpr', modrm & 7, resolveSize(s.size, opSize));
          break;
        case OpKind.G:
          o = reg('gpr', (modrm >> 3) & 7, resolveSize(s.size, opSize));
          break;
        case OpKind.S: {
          const r = (modrm >> 3) & 7;
          if (r > 5) undefinedHere = true;
          o = reg('seg', r, 2);
          break;
        }
        case OpKind.C:
          o = reg('cr', (modrm >> 3) & 7, 4);
          break;
        case OpKind.D:
          o = reg('dr', (modrm >> 3) & 7, 4);
          break;
        case OpKind.T:
          o = reg('tr', (modrm >> 3) & 7, 4);
          break;
        case OpKind.I: {
          const size = resolveSize(s.size, opSize);
          o = { kind: 'imm', size, value: readImm(size) };
          break;
        }
        case OpKind.Ibs: {
          const v = (u8() << 24) >> 24;
          o = { kind: 'imm', size: opSize, value: opSize === 4 ? v >>> 0 : v & 0xffff };
          break;
        }
        case OpKind.J: {
          const size = resolveSize(s.size, opSize);
          const d = size === 1 ? (u8() << 24) >> 24 : size === 2 ? (u16() << 16) >> 16 : u32() | 0;
          const next = (address + (st.p - offset)) | 0;
          o = { kind: 'rel', size: opSize, target: opSize === 4 ? (next + d) >>> 0 : (next + d) & 0xffff };
          break;
        }
        case OpKind.O: {
          const off = addrSize === 4 ? u32() : u16();
          o = {
            kind: 'mem', size: resolveSize(s.size, opSize), seg: seg >= 0 ? seg : SEG_DS, segOverride: seg >= 0, base: -1,
            index: -1, scale: 1, disp: off | 0, addrSize, moffs: true,
          };
          break;
        }
        case OpKind.A: {
          const off = opSize === 4 ? u32() : u16();
          o = { kind: 'far', size: resolveSize(s.size, opSize), selector: u16(), offset: off };
          break;
        }
        case OpKind.Z:
          o = reg('gpr', opcode & 7, resolveSize(s.size, opSize));
          break;
        case OpKind.Fixed:
          o = reg(s.cls === 'none' ? 'gpr' : s.cls, s.num, resolveSize(s.size, opSize));
          break;
        case OpKind.One:
          o = { kind: 'imm', size: 1, value: 1 };
          break;
        case OpKind.X:
        case OpKind.Xlat:
          o = {
            kind: 'mem', size: resolveSize(s.size, opSize), seg: seg >= 0 ? seg : SEG_DS, segOverride: seg >= 0,
            base: s.kind === OpKind.X ? 6 : 3, index: -1, scale: 1, disp: 0, addrSize, moffs: false,
          };
          break;
        case OpKind.Y:
          o = {
            kind: 'mem', size: resolveSize(s.size, opSize), seg: SEG_ES, segOverride: false, base: 7, index: -1, scale: 1,
            disp: 0, addrSize, moffs: false,
          };
          break;
        case OpKind.STi:
          o = reg('st', modrm & 7, 10);
          break;
        case OpKind.P:
          o = reg('mm', (modrm >> 3) & 7, 8);
          break;
        case OpKind.N:
          o = reg('mm', modrm & 7, 8);
          break;
        case OpKind.V:
          o = reg('xmm', (modrm >> 3) & 7, s.size === 32 ? 32 : 16);
          break;
        case OpKind.U:
          o = reg('xmm', modrm & 7, s.size === 32 ? 32 : 16);
          break;
        case OpKind.Vvvv:
          o = reg('xmm', vexReg, s.size === 32 ? 32 : 16);
          break;
        default:
          return bad(address, offset, opSize, addrSize, prefixLen, lock, seg, modrm);
      }
      ops[i] = o;
    }
    operands = ops;
  }
  if (st.fail) return cutOff(address, offset, end, hardLimit, opSize, addrSize);
  if (undefinedHere) {
    return result(address, st.p - offset, 'invalid', null, 'innocuous', opSize, addrSize, lock, 0, seg, NO_OPERANDS, prefixLen, modrm, sib, dispSize);
  }
  return result(
    address, st.p - offset, 'ok', form, form.cls, opSize, addrSize, lock, repKind, seg, operands, prefixLen, modrm, sib,
    dispSize, fwait,
  );
}

/** The input ran out (truncated) or the 15-byte limit was hit (too-long). */
function cutOff(address: number, offset: number, end: number, hardLimit: number, opSize: 2 | 4, addrSize: 2 | 4): DecodedInsn {
  if (end < hardLimit) {
    return result(address, end - offset, 'truncated', null, 'innocuous', opSize, addrSize, false, 0, -1, NO_OPERANDS, 0, -1, -1, 0);
  }
  return result(address, 15, 'too-long', null, 'innocuous', opSize, addrSize, false, 0, -1, NO_OPERANDS, 0, -1, -1, 0);
}

/** An undefined encoding: #UD when executed. The length covers what was read. */
function bad(
  address: number, offset: number, opSize: 2 | 4, addrSize: 2 | 4, prefixLen: number, lock: boolean, seg: number,
  modrm: number,
): DecodedInsn {
  return result(address, st.p - offset, 'invalid', null, 'innocuous', opSize, addrSize, lock, 0, seg, NO_OPERANDS, prefixLen, modrm, -1, 0);
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
