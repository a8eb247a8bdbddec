/**
 * nasm mnemonic → the isa/ forms that can encode it.
 *
 * Most nasm mnemonics are isa/ names (via form-index.ts). The rest are
 * spellings nasm accepts for the same forms, kept here as tables: condition
 * code synonyms (jz = je, setnae = setb…), size-suffixed names that force an
 * operand size (pushad, iretw…), and the string instructions whose operands
 * are implicit (movsb = movs Yb,Xb; lodsd = lods eAX,Xv at 32 bits).
 */
import type { DecoderForm } from '../decoder/form.js';
import { OpKind } from '../decoder/operand-specs.js';
import { getFormIndex } from './form-index.js';

export interface MnemonicPlan {
  readonly name: string;
  readonly forms: readonly DecoderForm[];
  /** Operand size forced by the spelling (pushaw = 2, iretd = 4), or 0. */
  readonly osz: 0 | 2 | 4;
  /** Every operand of the form is implicit (string instructions, xlat): the user writes none. */
  readonly implicit: boolean;
}

export const PREFIX_WORDS: ReadonlySet<string> = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'o16', 'o32', 'a16', 'a32']);

// The tables are Maps, not object literals: they are looked up by words of
// the source, and a word such as `constructor` or `__proto__` must find
// nothing rather than Object.prototype's members.

/** nasm condition-code spellings → the one isa/ uses. */
const CC_SYNONYMS: ReadonlyMap<string, string> = new Map(Object.entries({
  z: 'e', nz: 'ne', c: 'b', nae: 'b', nc: 'ae', nb: 'ae', na: 'be', nbe: 'a', pe: 'p', po: 'np',
  nge: 'l', nl: 'ge', ng: 'le', nle: 'g',
}));

const PLAIN_ALIASES: ReadonlyMap<string, string> = new Map(Object.entries({
  loopz: 'loope', loopnz: 'loopne', sal: 'shl', wait: 'fwait', icebp: 'int1', retn: 'ret', xlatb: 'xlat',
}));

/** Size-suffixed spellings: [isa name, operand size]. */
const SIZED: ReadonlyMap<string, readonly [string, 2 | 4]> = new Map(Object.entries({
  pushad: ['pusha', 4], popad: ['popa', 4], pushaw: ['pusha', 2], popaw: ['popa', 2],
  pushfd: ['pushf', 4], popfd: ['popf', 4], pushfw: ['pushf', 2], popfw: ['popf', 2],
  iretd: ['iret', 4], iretw: ['iret', 2],
} as const));

const STRING_OPS = ['movs', 'cmps', 'stos', 'lods', 'scas', 'ins', 'outs'];
const STRING_WIDTH: ReadonlyMap<string, 1 | 2 | 4> = new Map([['b', 1], ['w', 2], ['d', 4]]);

function canonicalName(name: string): string {
  const alias = PLAIN_ALIASES.get(name);
  if (alias !== undefined) return alias;
  for (const stem of ['j', 'set', 'cmov']) {
    if (name.startsWith(stem)) {
      const cc = CC_SYNONYMS.get(name.slice(stem.length));
      if (cc !== undefined) return stem + cc;
    }
  }
  return name;
}

function isStringSpec(kind: OpKind): boolean {
  return kind === OpKind.X || kind === OpKind.Y;
}

/**
 * The plan for a mnemonic given how many operands were written, or null if
 * nasm has no such instruction in the isa/ tables.
 */
export function resolveMnemonic(written: string, operandCount: number): MnemonicPlan | null {
  const index = getFormIndex().byName;
  const name = canonicalName(written);
  if (operandCount === 0) {
    const base = name.slice(0, -1);
    const width = STRING_WIDTH.get(name.slice(-1));
    if (STRING_OPS.includes(base) && width !== undefined) {
      const forms = (index.get(base) ?? []).filter((f) => f.ops.some((s) => isStringSpec(s.kind) && (s.size === 1) === (width === 1)));
      if (forms.length > 0) return { name: written, forms, osz: width === 1 ? 0 : width, implicit: true };
    }
    if (name === 'xlat') return { name: written, forms: index.get('xlat') ?? [], osz: 0, implicit: true };
  }
  const sized = SIZED.get(name);
  if (sized !== undefined) return { name: written, forms: index.get(sized[0]) ?? [], osz: sized[1], implicit: false };
  const forms = index.get(name);
  if (forms === undefined) return null;
  // A name whose rows all have one operand size names that size (cbw = o16 98, cwde = o32 98).
  const o = forms[0]!.osz;
  const osz = o !== 0 && forms.every((f) => f.osz === o) ? o : 0;
  return { name: written, forms, osz, implicit: false };
}

export function isMnemonic(word: string): boolean {
  return resolveMnemonic(word, 0) !== null || resolveMnemonic(word, 1) !== null;
}
