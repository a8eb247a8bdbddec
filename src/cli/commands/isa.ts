/**
 * `btvm isa`: inspect the instruction tables built from isa/*.isa.
 *   --dump   one line per resolved form: source file:line, map, encoding,
 *            mnemonic, operands, class and attributes
 *   --stats  form count and table build time
 *   --coverage  which forms the translator executes inline, which become
 *            VMM calls, and which raise #UD (x87/SIMD for now)
 * A malformed isa file prints its `file:line: error:` message and exits 2.
 */
import { MAP_NAMES, type DecoderForm } from '../../decoder/form.js';
import { IsaSyntaxError } from '../../decoder/isa-errors.js';
import { buildTables, findIsaDir, readIsaDir } from '../../decoder/isa-tables.js';
import { coverageReport, formatCoverage } from '../../lift/coverage.js';

const USAGE = 'usage: btvm isa --dump | --stats | --coverage';
const HELP = `${USAGE}

Inspects the instruction tables built from isa/*.isa.

options:
  --dump        one line per form: file:line, map and opcode, encoding, mnemonic, operands,
                class and attributes (lock, rep, o16/o32, a16/a32, mem/reg, flags r:/w:/u:)
  --stats       form count and table build time
  --coverage    which forms run inline, which become VMM calls, which raise #UD
  -h, --help    this text
`;
const OPTIONS = ['--dump', '--stats', '--coverage'];
const FLAG_LETTERS: [number, string][] = [[1 << 11, 'O'], [1 << 7, 'S'], [1 << 6, 'Z'], [1 << 4, 'A'], [1 << 2, 'P'], [1, 'C'], [1 << 10, 'D'], [1 << 9, 'I'], [1 << 8, 'T']];

function flags(mask: number): string {
  let s = '';
  for (const [bit, ch] of FLAG_LETTERS) if (mask & bit) s += ch;
  return s;
}

export function describeForm(f: DecoderForm): string {
  const attrs: string[] = [f.cls];
  if (f.lockable) attrs.push('lock');
  if (f.repMode !== 'none') attrs.push(f.repMode);
  if (f.osz) attrs.push('o' + f.osz * 8);
  if (f.asz) attrs.push('a' + f.asz * 8);
  if (f.mod) attrs.push(f.mod === 1 ? 'mem' : 'reg');
  if (f.flagsRead) attrs.push('r:' + flags(f.flagsRead));
  if (f.flagsWritten) attrs.push('w:' + flags(f.flagsWritten));
  if (f.flagsUndefined) attrs.push('u:' + flags(f.flagsUndefined));
  const loc = `${f.file}:${f.line}`;
  const opc = `${f.vex ? 'vex ' : ''}${MAP_NAMES[f.map]} ${f.opcode.toString(16).padStart(2, '0')}`;
  return `${loc.padEnd(22)} ${opc.padEnd(14)} ${f.encoding.padEnd(18)} ${f.mnemonic.padEnd(12)} ${(f.operandText || '-').padEnd(14)} ${attrs.join(' ')}`;
}

export async function isaCommand(argv: string[]): Promise<number> {
  const dump = argv.includes('--dump');
  const stats = argv.includes('--stats');
  const coverage = argv.includes('--coverage');
  if (argv.includes('--help') || argv.includes('-h') || (!dump && !stats && !coverage) || argv.some((a) => !OPTIONS.includes(a))) {
    if (argv.includes('--help') || argv.includes('-h')) process.stdout.write(HELP);
    else process.stderr.write(USAGE + '\n');
    return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
  }
  try {
    const t = buildTables(readIsaDir(findIsaDir()));
    if (dump) process.stdout.write(t.forms.map(describeForm).join('\n') + '\n');
    if (stats) process.stdout.write(`${t.forms.length} forms, tables built in ${t.buildMs.toFixed(1)} ms\n`);
    if (coverage) process.stdout.write(formatCoverage(coverageReport(t.forms)));
    return 0;
  } catch (e) {
    if (e instanceof IsaSyntaxError) {
      process.stderr.write(e.message + '\n');
      return 2;
    }
    throw e;
  }
}
