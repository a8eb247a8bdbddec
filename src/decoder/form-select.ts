/**
 * Row selection: which isa/ row an opcode slot means under the current
 * prefixes, ModRM and sizes.
 *
 * isa-tables.ts files rows into slots (map, opcode, ModRM.reg) as candidate
 * lists, most specific first. Most slots (≈ 90% of the instructions in real
 * code) hold one unconditional row: decode-index.ts names it in the slot
 * table, so the decoder needs one array load. The rest depend on a
 * mandatory prefix, mod, a fixed rm, o16/o32 or a16/a32; their answer is a
 * function of nine bits of decoder state (`stateKey`), memoised per slot on first use in a 512-entry
 * Int16Array. The memo is filled lazily rather than when the tables are
 * built, because ~1700 conditional slots × 512 states would cost start-up
 * time for slots most programs never reach.
 */
import type { DecoderForm } from './form.js';
import { MOD_MEM, MOD_REG, PFX_66, PFX_ANY, PFX_F2, PFX_F3 } from './form.js';
import type { DecodeIndex } from './decode-index.js';

/** The form whose constraints hold for this ModRM and prefix state, or null. First match wins. */
export function pick(list: readonly DecoderForm[], modrm: number, has66: boolean, rep: number, opSize: number, addrSize: number): DecoderForm | null {
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
export function pickVex(list: readonly DecoderForm[], modrm: number, pp: number, l: number, w: number): DecoderForm | null {
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
 * Everything pick() looks at, in nine bits: 66 present, F3/F2 (the last rep
 * prefix), mod = 11, rm, 16-bit operand size, 16-bit address size. For
 * opcodes without ModRM, modrm is -1 throughout the slot, so the key is too.
 */
export function stateKey(has66: boolean, rep: number, modrm: number, opSize: number, addrSize: number): number {
  return (has66 ? 1 : 0) | (rep === 0xf3 ? 2 : rep === 0xf2 ? 4 : 0) | (modrm >= 0xc0 ? 8 : 0) | ((modrm & 7) << 4) |
    (opSize === 2 ? 128 : 0) | (addrSize === 2 ? 256 : 0);
}

/**
 * The plain-state entry of a conditional slot (DecodeIndex.plain): the row
 * chosen with no 66/F2/F3 at 32-bit sizes for this mod, as form id + 1 when
 * every rm value chooses it, else -1 (rm decides, or no row: the caller
 * falls back to selectConditional). Called once per slot and mod class.
 */
export function plainRow(ix: DecodeIndex, slot: number, modrm: number): number {
  const list = ix.cands[slot]!;
  if (modrm < 0) {
    const f = pick(list, -1, false, 0, 4, 4);
    return f === null ? -1 : f.id + 1;
  }
  const mod = modrm & 0xc0;
  const f = pick(list, mod, false, 0, 4, 4);
  if (f === null) return -1;
  for (let rm = 1; rm < 8; rm++) if (pick(list, mod | rm, false, 0, 4, 4) !== f) return -1;
  return f.id + 1;
}

/** The row id of a conditional slot (index.slot[slot] = SLOT_CONDITIONAL), memoised per state; -1 for none. */
export function selectConditional(
  ix: DecodeIndex, slot: number, modrm: number, has66: boolean, rep: number, opSize: number, addrSize: number,
): number {
  const m = ix.memo[slot] ?? (ix.memo[slot] = new Int16Array(512));
  const key = stateKey(has66, rep, modrm, opSize, addrSize);
  let v = m[key]!;
  if (v === 0) {
    const f = pick(ix.cands[slot]!, modrm, has66, rep, opSize, addrSize);
    v = f === null ? -1 : f.id + 1;
    m[key] = v;
  }
  return v > 0 ? v - 1 : -1;
}
