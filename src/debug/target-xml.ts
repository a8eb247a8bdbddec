/**
 * The target description gdb asks for with `qXfer:features:read:target.xml`:
 * architecture i386 and one `org.gnu.gdb.i386.core` feature listing every
 * register of gdb-registers.ts (general, segment, control, x87, SSE) in
 * protocol order, with bit-field types so that `info registers` shows
 * EFLAGS, CR0, CR3, CR4, EFER and MXCSR by flag name, as it does against
 * QEMU.
 */
import { GDB_REGISTERS } from './gdb-registers.js';

/** [name, first bit, last bit]; a one-bit field is a bool, a wider one a uint32. */
type Field = readonly [string, number, number];

const bit = (name: string, n: number): Field => [name, n, n];

const FLAG_TYPES: readonly (readonly [string, readonly Field[]])[] = [
  ['i386_eflags', [
    bit('CF', 0), bit('', 1), bit('PF', 2), bit('AF', 4), bit('ZF', 6), bit('SF', 7), bit('TF', 8), bit('IF', 9),
    bit('DF', 10), bit('OF', 11), ['IOPL', 12, 13], bit('NT', 14), bit('RF', 16), bit('VM', 17), bit('AC', 18),
    bit('VIF', 19), bit('VIP', 20), bit('ID', 21),
  ]],
  ['i386_cr0', [
    bit('PE', 0), bit('MP', 1), bit('EM', 2), bit('TS', 3), bit('ET', 4), bit('NE', 5), bit('WP', 16), bit('AM', 18),
    bit('NW', 29), bit('CD', 30), bit('PG', 31),
  ]],
  ['i386_cr3', [['PCID', 0, 11], ['PDBR', 12, 31]]],
  ['i386_cr4', [
    bit('VME', 0), bit('PVI', 1), bit('TSD', 2), bit('DE', 3), bit('PSE', 4), bit('PAE', 5), bit('MCE', 6), bit('PGE', 7),
    bit('PCE', 8), bit('OSFXSR', 9), bit('OSXMMEXCPT', 10), bit('UMIP', 11), bit('VMXE', 13), bit('SMXE', 14),
    bit('FSGSBASE', 16), bit('PCIDE', 17), bit('OSXSAVE', 18), bit('SMEP', 20), bit('SMAP', 21), bit('PKE', 22),
  ]],
  ['i386_efer', [bit('SCE', 0), bit('LME', 8), bit('LMA', 10), bit('NXE', 11), bit('SVME', 12), bit('LMSLE', 13), bit('FFXSR', 14), bit('TCE', 15)]],
  ['i386_mxcsr', [
    bit('IE', 0), bit('DE', 1), bit('ZE', 2), bit('OE', 3), bit('UE', 4), bit('PE', 5), bit('DAZ', 6), bit('IM', 7),
    bit('DM', 8), bit('ZM', 9), bit('OM', 10), bit('UM', 11), bit('PM', 12), bit('FZ', 15),
  ]],
];

/** The 128-bit XMM register as gdb's usual union of lane vectors. */
const VEC128 = [
  ['v4_float', 'ieee_single', 4], ['v2_double', 'ieee_double', 2], ['v16_int8', 'int8', 16],
  ['v8_int16', 'int16', 8], ['v4_int32', 'int32', 4], ['v2_int64', 'int64', 2],
] as const;

function flagsXml([id, fields]: (typeof FLAG_TYPES)[number]): string {
  const body = fields.map(([name, lo, hi]) =>
    `<field name="${name}" start="${lo}" end="${hi}" type="${lo === hi ? 'bool' : 'uint32'}"/>`).join('');
  return `<flags id="${id}" size="4">${body}</flags>`;
}

function buildTargetXml(): string {
  const vectors = VEC128.map(([name, type, count]) => `<vector id="${name}" type="${type}" count="${count}"/>`).join('');
  const union = `<union id="vec128">${VEC128.map(([name]) => `<field name="${name}" type="${name}"/>`).join('')}` +
    '<field name="uint128" type="uint128"/></union>';
  const regs = GDB_REGISTERS.map((r, i) =>
    `<reg name="${r.name}" bitsize="${r.bits}" type="${r.type}" regnum="${i}"${r.group ? ` group="${r.group}"` : ''}/>`).join('');
  return '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target><architecture>i386</architecture>' +
    `<feature name="org.gnu.gdb.i386.core">${FLAG_TYPES.map(flagsXml).join('')}${vectors}${union}${regs}</feature></target>`;
}

export const TARGET_XML = buildTargetXml();
