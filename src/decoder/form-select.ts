/**
 * Row selection: which isa/ row an opcode slot means under the current
 * prefixes, ModRM and sizes.
 *
 * isa-tables.ts files rows into slots (map, opcode, ModRM.reg) as candidate
 * lists, most specific first. Most slots (≈ 90% of the instructions in real
 * code) hold one unconditional row: `SlotIndex.direct` names it, so the
 * decoder needs one array load. The rest depend on a mandatory prefix, mod,
 * a fixed rm, o16/o32 or a16/a32; their answer is a function of nine bits of
 * decoder state (`stateKey`), memoised per slot on first use in a 512-entry
 * Int16Array. The memo is filled lazily rather than when the tables are
 * built, because ~1700 conditional slots × 512 states would cost start-up
 * time for slots most programs never reach.
 */
import type { DecoderForm } from './form.js';
import { MOD_MEM, MOD_REG, PFX_66, PFX_ANY, PFX_F2, PFX_F3 } from './form.js';
import type { IsaTables } from './isa-tables.js';
import type { OperandSpec } from './operand-specs.js';

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
 * Legacy-map slots (map*2048 + opcode*8 + reg) resolved for the decoder.
 * The arrays here are unfrozen copies of the tables' frozen ones: V8's
 * optimising compiler does not inline element loads from frozen arrays and
 * calls a generic load stub instead, which cost the decoder ~10%.
 */
export interface SlotIndex {
  readonly forms: DecoderForm[];
  readonly cands: (readonly DecoderForm[] | null)[];
  /** form id → its operand specs (an unfrozen copy of form.ops). */
  readonly ops: OperandSpec[][];
  /** The slot's row when it holds regardless of state, else null (conditional or empty slot). */
  readonly direct: (DecoderForm | null)[];
  /** Conditional slots: stateKey → form id + 1, -1 for no row, 0 not yet computed. */
  readonly memo: (Int16Array | null)[];
}

export function makeSlotIndex(t: IsaTables): SlotIndex {
  const n = t.cands.length;
  const direct: (DecoderForm | null)[] = new Array(n);
  const memo: (Int16Array | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const list = t.cands[i];
    direct[i] = list != null && !list[0]!.constrained ? list[0]! : null;
    memo[i] = null;
  }
  const ops = t.forms.map((f) => f.ops.slice());
  return { forms: t.forms.slice(), cands: t.cands.slice(), ops, direct, memo };
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

/** The row of a conditional slot (cands[slot] non-null), memoised per state. */
export function selectConditional(
  ix: SlotIndex, slot: number, modrm: number, has66: boolean, rep: number, opSize: number, addrSize: number,
): DecoderForm | null {
  const m = ix.memo[slot] ?? (ix.memo[slot] = new Int16Array(512));
  const key = stateKey(has66, rep, modrm, opSize, addrSize);
  let v = m[key]!;
  if (v === 0) {
    const f = pick(ix.cands[slot]!, modrm, has66, rep, opSize, addrSize);
    v = f === null ? -1 : f.id + 1;
    m[key] = v;
  }
  return v > 0 ? ix.forms[v - 1]! : null;
}
