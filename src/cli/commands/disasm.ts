/**
 * `btvm disasm`: objdump-compatible Intel-syntax listings of ELF32 i386
 * executables/shared objects (every executable section, with symbol labels)
 * or of flat images (`--raw --base ADDR`), as text or one JSON object per
 * instruction (`--json`).
 *
 * Decoding is src/decoder/decode.ts, text is src/decoder/disasm.ts, ELF
 * parsing is the loader's parser (src/loader/elf32.ts). Bad input prints one
 * line on stderr and exits 2.
 */
import { readFileSync } from 'node:fs';
import { decode, MODE16, MODE32, type DecodeMode } from '../../decoder/decode.js';
import { formatInsn, insnToString, type InsnText } from '../../decoder/disasm.js';
import type { DecodedInsn } from '../../decoder/insn.js';
import { parseElf32, sectionData, type Elf32File } from '../../loader/elf32.js';

const SHF_EXECINSTR = 4;
const SHT_NOBITS = 8;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_SECTION = 3;
const STT_FILE = 4;

const USAGE = 'usage: btvm disasm FILE [--json] [--raw --base ADDR] [--16]';

interface Options {
  file: string;
  json: boolean;
  raw: boolean;
  base: number;
  mode: DecodeMode;
}

class DisasmUsageError extends Error {}

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

/** Address → label, and a sorted list for `<sym+off>` annotations of branch targets. */
interface SymbolIndex {
  readonly at: Map<number, string>;
  readonly sorted: readonly { addr: number; name: string }[];
}

function buildSymbols(elf: Elf32File, shndx: number): SymbolIndex {
  const at = new Map<number, string>();
  const rank = new Map<number, number>();
  for (const syms of elf.symbolTables.values()) {
    for (const s of syms) {
      if (s.shndx !== shndx || s.name === '' || s.type === STT_SECTION || s.type === STT_FILE) continue;
      // Prefer functions, then objects, then the rest; first seen wins among equals.
      const r = s.type === STT_FUNC ? 3 : s.type === STT_OBJECT ? 2 : 1;
      if ((rank.get(s.value) ?? 0) < r) {
        at.set(s.value, s.name);
        rank.set(s.value, r);
      }
    }
  }
  const sorted = [...at].map(([addr, name]) => ({ addr, name })).sort((a, b) => a.addr - b.addr);
  return { at, sorted };
}

function annotate(idx: SymbolIndex, target: number): string {
  const s = idx.sorted;
  let lo = 0;
  let hi = s.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid]!.addr <= target) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) return '';
  const d = target - s[best]!.addr;
  return d === 0 ? ` <${s[best]!.name}>` : ` <${s[best]!.name}+0x${d.toString(16)}>`;
}

class Output {
  private buf: string[] = [];
  private size = 0;
  line(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 16) this.flush();
  }
  flush(): void {
    if (this.buf.length > 0) process.stdout.write(this.buf.join('\n') + '\n');
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
      const label = syms.at.get(addr);
      if (label !== undefined) out.line(`\n${addr.toString(16).padStart(8, '0')} <${label}>:`);
    }
    const insn = decode(b, off, addr, o.mode);
    const t = formatInsn(insn, b, off, { bareTargets: bare });
    let note = '';
    if (syms !== null && insn.operands.length === 1 && insn.operands[0]!.kind === 'rel') note = annotate(syms, insn.operands[0]!.target);
    emit(out, o, insn, t, b, off, note);
    off += insn.length > 0 ? insn.length : 1;
  }
}

export async function disasmCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const out = new Output();
  try {
    const o = parseArgs(argv);
    const bytes = new Uint8Array(readFileSync(o.file));
    if (o.raw) {
      disasmRange(out, o, bytes, o.base, false, null);
    } else {
      const elf = parseElf32(bytes);
      for (const s of elf.sections) {
        if ((s.flags & SHF_EXECINSTR) === 0 || s.type === SHT_NOBITS || s.size === 0) continue;
        if (!o.json) out.line(`\nDisassembly of section ${s.name}:`);
        disasmRange(out, o, sectionData(elf, s), s.addr, true, buildSymbols(elf, s.index));
      }
    }
    out.flush();
    return 0;
  } catch (e) {
    out.flush();
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    process.stderr.write(`btvm disasm: ${msg}${e instanceof DisasmUsageError ? `\n${USAGE}` : ''}\n`);
    return 2;
  }
}
