/**
 * isa/ forms grouped by the mnemonic a nasm user writes.
 *
 * isa/ names rows as objdump prints them, so an o16 row of a size-dependent
 * instruction carries a suffix (`pushw`, `retw`, `iretw`, `sgdtw`/`sgdtd`)
 * while nasm writes plain `push`/`ret`/`iret`/`sgdt` and lets the operand
 * size choose. Such a row is filed under the plain name when its o16/o32
 * partner (same opcode, other size) has that plain name too, so the
 * encoder sees every form an instruction can take under one key.
 */
import type { DecoderForm } from '../decoder/form.js';
import { PFX_9B } from '../decoder/form.js';
import { getTables } from '../decoder/isa-tables.js';

export interface FormIndex {
  readonly byName: ReadonlyMap<string, readonly DecoderForm[]>;
  /** Form id → the plain name it is filed under. */
  readonly nameOf: ReadonlyMap<number, string>;
  readonly all: readonly DecoderForm[];
}

function slotKey(f: DecoderForm): string {
  return `${f.pfx === PFX_9B ? 'w' : ''}${f.map}.${f.opcode}.${f.reg}.${f.rm}.${f.mod}.${f.pfx}`;
}

/** The plain (nasm) name of a form. */
function plainName(f: DecoderForm, partners: readonly DecoderForm[]): string {
  const m = f.mnemonic;
  if (f.osz === 0) return m;
  const stem = (n: string, osz: number): string => (osz === 2 && n.endsWith('w')) || (osz === 4 && n.endsWith('d')) ? n.slice(0, -1) : n;
  for (const p of partners) {
    if (p === f || p.osz === 0 || p.osz === f.osz) continue;
    const mine = stem(m, f.osz);
    if (mine !== m && (p.mnemonic === mine || stem(p.mnemonic, p.osz) === mine)) return mine;
  }
  return m;
}

let cached: FormIndex | null = null;

export function getFormIndex(): FormIndex {
  if (cached !== null) return cached;
  // VEX rows need a VEX prefix encoder, which this assembler does not have yet.
  const forms = getTables().forms.filter((f) => !f.vex);
  const bySlot = new Map<string, DecoderForm[]>();
  for (const f of forms) {
    const k = slotKey(f);
    const list = bySlot.get(k);
    if (list === undefined) bySlot.set(k, [f]); else list.push(f);
  }
  const byName = new Map<string, DecoderForm[]>();
  const nameOf = new Map<number, string>();
  for (const f of forms) {
    const name = plainName(f, bySlot.get(slotKey(f))!);
    nameOf.set(f.id, name);
    const list = byName.get(name);
    if (list === undefined) byName.set(name, [f]); else list.push(f);
  }
  cached = { byName, nameOf, all: forms };
  return cached;
}

let partnered: Set<number> | null = null;

/**
 * True when an o16/o32 row has a partner row (same opcode, the other size).
 * A row without one (`90 nop o32`) is simply the instruction at any size:
 * nasm writes `nop` as 90 under BITS 16 too, with no 66.
 */
export function hasSizePartner(f: DecoderForm): boolean {
  if (partnered === null) {
    const bySlot = new Map<string, DecoderForm[]>();
    for (const g of getTables().forms) {
      const k = slotKey(g);
      const list = bySlot.get(k);
      if (list === undefined) bySlot.set(k, [g]); else list.push(g);
    }
    partnered = new Set();
    for (const list of bySlot.values()) {
      for (const g of list) if (g.osz !== 0 && list.some((h) => h.osz !== 0 && h.osz !== g.osz)) partnered.add(g.id);
    }
  }
  return partnered.has(f.id);
}
