/**
 * `btvm asm FILE.s -o OUT.bin`: assemble nasm-syntax source into a flat
 * binary (what `nasm -f bin` would write), using src/assembler/.
 *
 * Options: -o OUT (default: FILE with .bin), --bits 16|32 (initial BITS,
 * default 16 as nasm), --org N (origin before any `org` line), --list
 * (print address, bytes and source for each line on stdout).
 * A bad source prints one line `FILE:LINE: error: message` and exits 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { assemble, AssemblyError } from '../../assembler/index.js';
import { printable } from '../../text/printable.js';

const USAGE = 'usage: btvm asm FILE.s [-o OUT.bin] [--bits 16|32] [--org N] [--list]\n';
const HELP = `${USAGE}
Assembles nasm-syntax Intel source to a flat binary.

options:
  -o OUT.bin     output file (default: FILE without .s, plus .bin)
  --bits 16|32   initial code size, as nasm's BITS (default 32)
  --org N        origin address, as nasm's ORG (default 0)
  --list         print a listing (address, bytes, source line) on stdout
  -h, --help     this text
`;

export async function asmCommand(argv: string[]): Promise<number> {
  let input: string | undefined;
  let output: string | undefined;
  let bits: 16 | 32 | undefined;
  let origin: number | undefined;
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (a === '-o' || a === '--bits' || a === '--org') {
      const v = argv[++i];
      if (v === undefined) return usageError(`${a} needs a value`);
      if (a === '-o') output = v;
      else if (a === '--bits') {
        if (v !== '16' && v !== '32') return usageError('--bits must be 16 or 32');
        bits = v === '16' ? 16 : 32;
      } else {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) return usageError(`bad --org value '${v}'`);
        origin = n;
      }
    } else if (a === '--list') list = true;
    else if (a.startsWith('-')) return usageError(`unknown option '${a}'`);
    else if (input === undefined) input = a;
    else return usageError(`unexpected argument '${a}'`);
  }
  if (input === undefined) return usageError('no input file');
  let source: string;
  try {
    source = readFileSync(input, 'utf8');
  } catch (e) {
    process.stderr.write(`${printable(input)}: error: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return 2;
  }
  try {
    const r = assemble(source, { file: input, bits, origin });
    const out = output ?? input.replace(/\.[^./]*$/, '') + '.bin';
    writeFileSync(out, r.bytes);
    if (list) {
      const lines = source.split('\n');
      for (const l of r.listing) {
        const hex = Buffer.from(l.bytes).toString('hex');
        process.stdout.write(`${String(l.line).padStart(5)} ${l.address.toString(16).padStart(8, '0')} ${hex.padEnd(24)} ${lines[l.line - 1] ?? ''}\n`);
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof AssemblyError) {
      // The detail may quote the source line: control characters in it are shown, not sent to the terminal.
      process.stderr.write(`${printable(e.file)}:${e.line}: error: ${printable(e.detail)}\n`);
      return 2;
    }
    throw e;
  }
}

function usageError(msg: string): number {
  process.stderr.write(`btvm asm: ${printable(msg)}\n${USAGE}`);
  return 2;
}
