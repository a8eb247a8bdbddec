/**
 * The shape of one registry entry: a mnemonic's lifter and how its forms are
 * handled (for `btvm isa --coverage` and the coverage test). Family files
 * (alu.ts, shift.ts, …) export tables of these; registry.ts merges them.
 */
import type { DecodedInsn, InsnClass } from '../decoder/insn.js';
import type { LiftContext } from './context.js';

/** Lift one decoded instruction into ctx (operands, semantics, writeback, maybe an exit). */
export type Lifter = (ctx: LiftContext, insn: DecodedInsn) => void;

/** inline: translated to IR; vmm: an emulate call; ud: raises #UD (feature not offered to the guest). */
export type Handling = 'inline' | 'vmm' | 'ud';

/** What coverage knows about a form: its class and operand text as isa/ writes it ("Ev,Gv"). */
export interface FormInfo {
  readonly mnemonic: string;
  readonly cls: InsnClass;
  readonly operandText: string;
}

export interface LifterEntry {
  readonly lift: Lifter;
  readonly handling: Handling | ((form: FormInfo) => Handling);
}

export type LifterTable = Readonly<Record<string, LifterEntry>>;

export const inline = (lift: Lifter): LifterEntry => ({ lift, handling: 'inline' });
export const viaVmm = (lift: Lifter): LifterEntry => ({ lift, handling: 'vmm' });
