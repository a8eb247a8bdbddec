/**
 * The mnemonic registry: mnemonic (as objdump and isa/ spell it) → lifter.
 *
 * Built once from the family tables; a mnemonic defined by two families is a
 * bug caught at load time. The lifter looks instructions up here by
 * DecodedInsn.mnemonic; coverage.ts checks the registry against isa/ in
 * both directions.
 */
import { ALU_LIFTERS } from './alu.js';
import { BCD_LIFTERS } from './bcd.js';
import { BIT_LIFTERS } from './bit.js';
import { CONTROL_LIFTERS } from './control.js';
import { DATA_LIFTERS } from './data.js';
import { EXCHANGE_LIFTERS } from './exchange.js';
import { FLAGS_LIFTERS } from './flags-ops.js';
import type { LifterEntry, LifterTable } from './lifter-entry.js';
import { MULDIV_LIFTERS } from './muldiv.js';
import { SHIFT_LIFTERS } from './shift.js';
import { STACK_LIFTERS } from './stack.js';
import { STRING_LIFTERS } from './string.js';
import { SYSTEM_LIFTERS } from './system.js';

const FAMILIES: Readonly<Record<string, LifterTable>> = {
  alu: ALU_LIFTERS,
  bcd: BCD_LIFTERS,
  bit: BIT_LIFTERS,
  control: CONTROL_LIFTERS,
  data: DATA_LIFTERS,
  exchange: EXCHANGE_LIFTERS,
  flags: FLAGS_LIFTERS,
  muldiv: MULDIV_LIFTERS,
  shift: SHIFT_LIFTERS,
  stack: STACK_LIFTERS,
  string: STRING_LIFTERS,
  system: SYSTEM_LIFTERS,
};

function build(): ReadonlyMap<string, LifterEntry> {
  const map = new Map<string, LifterEntry>();
  const owner = new Map<string, string>();
  for (const [family, table] of Object.entries(FAMILIES)) {
    for (const [mnemonic, entry] of Object.entries(table)) {
      const prev = owner.get(mnemonic);
      if (prev !== undefined) throw new Error(`lifter registry: '${mnemonic}' defined by both ${prev} and ${family}`);
      owner.set(mnemonic, family);
      map.set(mnemonic, entry);
    }
  }
  return map;
}

export const LIFTERS: ReadonlyMap<string, LifterEntry> = build();

export function lifterFor(mnemonic: string): LifterEntry | undefined {
  return LIFTERS.get(mnemonic);
}
