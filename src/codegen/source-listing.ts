/**
 * The generated source as a person reads it (`-d js`, `btvm ir`): the
 * compiled text with each guest instruction's disassembly put back.
 *
 * Generated JavaScript runs with `process` and `globalThis` in scope, so its
 * text is built from numbers and names from fixed tables only. Each guest
 * instruction is marked there by a comment holding its address alone
 * (`// insn 0x100010`, emit-block.ts); the disassembly — text that could one
 * day carry a symbol name from an image file — never enters the source that
 * `new Function` compiles. This function adds it to a copy meant for
 * printing only, through printable() like every other outside text.
 */
import type { Block } from '../ir/types.js';
import { printable } from '../text/printable.js';

/** The prefix of an instruction marker line in generated source; the address follows as 0x-hex. */
export const INSN_MARKER = '// insn ';

const MARKER_LINE = /^\/\/ insn (0x[0-9a-f]+)$/;

/** `source` (from generateRegion over `blocks`) with each instruction marker followed by that instruction's text. */
export function readableSource(source: string, blocks: readonly Block[]): string {
  const text = new Map<number, string>();
  for (const b of blocks) for (const op of b.ops) if (op.op === 'insn') text.set(op.address >>> 0, op.text);
  return source
    .split('\n')
    .map((line) => {
      const m = MARKER_LINE.exec(line);
      const t = m === null ? undefined : text.get(Number(m[1]));
      return t === undefined ? line : `${line}  ${printable(t)}`;
    })
    .join('\n');
}
