/**
 * The table of subcommands: name, one-line summary, and the function that
 * runs it. `btvm --help` is generated from this table so it cannot drift from
 * what exists.
 */
import { asmCommand } from './commands/asm.js';
import { disasmCommand } from './commands/disasm.js';
import { irCommand } from './commands/ir.js';
import { isaCommand } from './commands/isa.js';
import { runCommand } from './commands/run.js';

export interface Command {
  readonly name: string;
  readonly synopsis: string;
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

export const COMMANDS: readonly Command[] = [
  { name: 'run', synopsis: 'run KERNEL [-m SIZE] [-d ITEMS] [--stats] …', summary: 'boot a Multiboot kernel (or --flat image) by binary translation', run: runCommand },
  { name: 'disasm', synopsis: 'disasm FILE [--raw --base ADDR] [--json]', summary: 'disassemble like objdump -d -M intel', run: disasmCommand },
  { name: 'asm', synopsis: 'asm FILE.s [-o OUT.bin] [--bits 16|32]', summary: 'assemble nasm-syntax Intel source to a flat binary', run: asmCommand },
  { name: 'ir', synopsis: 'ir FILE --at ADDR [--raw --base ADDR] [--no-opt=NAMES]', summary: 'one block through decoder, lifter, each pass and codegen', run: irCommand },
  { name: 'isa', synopsis: 'isa --dump | --stats | --coverage', summary: 'the instruction tables built from isa/', run: isaCommand },
];

export function usage(): string {
  const lines = ['usage: btvm COMMAND [ARGS]', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.synopsis.padEnd(44)} ${c.summary}`);
  lines.push('', 'Each command takes --help. Errors print one line and exit 2 (bad input) or 70 (a btvm bug).', '');
  return lines.join('\n');
}
