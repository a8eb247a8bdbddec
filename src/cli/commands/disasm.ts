/**
 * `btvm disasm`: objdump-compatible Intel-syntax listings of ELF32 i386
 * executables/shared objects (every executable section, with symbol labels)
 * or of flat images (`--raw --base ADDR`), as text or one JSON object per
 * instruction (`--json`).
 *
 * Decoding is src/decoder/decode.ts, text is src/decoder/disasm.ts, ELF
 * parsing is the loader's parser (src/loader/elf32.ts). Bad input prints one
 * line on stderr and exits 2 (a btvm bug: 70). Names from the file are printed
 * through printable() (src/text/printable.ts), control characters in caret
 * form as objdump does; `--json` carries no names.
 */
import { readFileSync } from 'node:fs';
import { decode, MODE16, MODE32, type DecodeMode } from '../../decoder/decode.js';
import { formatInsn, insnToString, type InsnText } from '../../decoder/disasm.js';
import type { DecodedInsn } from '../../decoder/insn.js';
import { ElfFormatError, parseElf32, sectionData, type Elf32File, type Elf32Section } from '../../loader/elf32.js';
import { indexSymbols, SymbolIndex } from '../../loader/elf32-symbol-index.js';
import { printable } from '../../text/printable.js';
import { processIo, type CommandIo } from '../command-io.js';
import { describeFailure, UsageError } from '../failure.js';

const SHF_EXECINSTR = 4;
const SHT_NOBITS = 8;

const USAGE = 'usage: btvm disasm FILE [--json] [--raw --base ADDR] [--16]';
const HELP = `${USAGE}

Disassembles like objdump -d -M intel: every executable section of an ELF32
i386 file, with symbol labels, or a flat image.

options:
  --raw          FILE is a flat image, not ELF
  --base ADDR    address of the image's first byte (with --raw; default 0)
  --16           decode 16-bit code (default 32-bit)
  --json         one JSON object per instruction instead of text
  -h, --help     this text
`;

interface Options {
  file: string;
  json: boolean;
  raw: boolean;
  base: number;
  mode: DecodeMode;
}

class DisasmUsageError extends UsageError {}

function parseArgs(argv: string[]): Options {
  const o: Options = { file: '', json: false, raw: false, base: 0, mode: MODE32 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') o.json = true;
    else if (a === '--raw') o.raw = true;
    else if (a === '--16') o.mode = MODE16;
    else if (a === '--base') {
      const v = argv[++i];
      const n = v === undefined ? NaN : Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new DisasmUsageError(`--base needs an address (0x… or decimal), got '${v ?? ''}'`);
      o.base = n;
    } else if (a.startsWith('-')) throw new DisasmUsageError(`unknown option '${a}'`);
    else if (o.file === '') o.file = a;
    else throw new DisasmUsageError(`unexpected argument '${a}'`);
  }
  if (o.file === '') throw new DisasmUsageError('missing FILE');
  if (o.base !== 0 && !o.raw) throw new DisasmUsageError('--base applies to --raw images only');
  return o;
}

function hexBytes(b: Uint8Array, off: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += b[off + i]!.toString(16).padStart(2, '0');
  return s;
}

function annotate(idx: SymbolIndex, target: number): string {
  const n = idx.nearest(target);
  if (n === null) return '';
  const name = printable(n.name);
  return n.offset === 0 ? ` <${name}>` : ` <${name}+0x${n.offset.toString(16)}>`;
}

/**
 * The executable sections with file data, refusing two that share bytes: a
 * file could otherwise describe its code 65,000 times over and make the
 * listing thousands of times its own size.
 */
function codeSections(elf: Elf32File): Elf32Section[] {
  const code = elf.sections.filter((s) => (s.flags & SHF_EXECINSTR) !== 0 && s.type !== SHT_NOBITS && s.size > 0);
  const byOffset = [...code].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const a = byOffset[i - 1]!;
    const b = byOffset[i]!;
    if (b.offset < a.offset + a.size) {
      throw new ElfFormatError(b.offset, `executable sections ${a.index} and ${b.index} share file bytes`);
    }
  }
  return code;
}

class Output {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly io: CommandIo) {}
  line(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 16) this.flush();
  }
  flush(): void {
    if (this.buf.length > 0) this.io.out(this.buf.join('\n') + '\n');
    this.buf = [];
    this.size = 0;
  }
}

function emit(out: Output, o: Options, insn: DecodedInsn, t: InsnText, b: Uint8Array, off: number, note: string): void {
  if (o.json) {
    const rec: Record<string, unknown> = {
      address: insn.address, length: insn.length, bytes: hexBytes(b, off, insn.length), mnemonic: t.mnemonic,
      operands: t.operands, class: insn.cls,
    };
    if (insn.status !== 'ok') rec.status = insn.status;
    out.line(JSON.stringify(rec));
    return;
  }
  const bytes = hexBytes(b, off, insn.length).replace(/(..)(?!$)/g, '$1 ');
  out.line(`${insn.address.toString(16).padStart(8)}:\t${bytes} \t${insnToString(t)}${note}`);
}

function disasmRange(out: Output, o: Options, b: Uint8Array, base: number, bare: boolean, syms: SymbolIndex | null): void {
  let off = 0;
  while (off < b.length) {
    const addr = (base + off) >>> 0;
    if (syms !== null && !o.json) {
      const label = syms.labelAt(addr);
      if (label !== undefined) out.line(`\n${addr.toString(16).padStart(8, '0')} <${printable(label)}>:`);
    }
    const insn = decode(b, off, addr, o.mode);
    const t = formatInsn(insn, b, off, { bareTargets: bare });
    let note = '';
    if (syms !== null && insn.operands.length === 1 && insn.operands[0]!.kind === 'rel') note = annotate(syms, insn.operands[0]!.target);
    emit(out, o, insn, t, b, off, note);
    off += insn.length > 0 ? insn.length : 1;
  }
}

export async function disasmCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  const out = new Output(io);
  try {
    const o = parseArgs(argv);
    const bytes = new Uint8Array(readFileSync(o.file));
    if (o.raw) {
      disasmRange(out, o, bytes, o.base, false, null);
    } else {
      const elf = parseElf32(bytes);
      const sections = codeSections(elf);
      const symbols = indexSymbols(elf).bySection;
      const none = new SymbolIndex();
      for (const s of sections) {
        if (!o.json) out.line(`\nDisassembly of section ${printable(s.name)}:`);
        disasmRange(out, o, sectionData(elf, s), s.addr, true, symbols.get(s.index) ?? none);
      }
    }
    out.flush();
    return 0;
  } catch (e) {
    out.flush();
    const { message, status } = describeFailure(e);
    io.err(`btvm disasm: ${message}${e instanceof DisasmUsageError ? `\n${USAGE}` : ''}\n`);
    return status;
  }
}
