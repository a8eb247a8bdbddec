/**
 * `btvm ir FILE --at ADDR`: one guest block through every stage of the
 * translator, for reading what btvm does to a piece of code:
 *
 *   guest disassembly (src/decoder) → lifted IR (src/lift) → IR after each
 *   pass (src/passes, by name) → generated JavaScript (src/codegen)
 *
 * Instructions that became VMM calls (`emulate`) or an unconditional
 * exception are marked in the disassembly. FILE is an ELF32 i386 image
 * (its PT_LOAD segments are mapped at their virtual addresses) or, with
 * `--raw --base ADDR`, a flat binary loaded at ADDR. The block is
 * translated as the fixture kernels run: flat 32-bit protected mode, paging
 * off. `--no-opt=NAMES` switches passes off as the run command does. Bad
 * input prints one line on stderr and exits 2 (a btvm bug: 70).
 */
import { readFileSync } from 'node:fs';
import { generateRegion } from '../../codegen/compile-region.js';
import { readableSource } from '../../codegen/source-listing.js';
import { PhysicalMemoryEmitter } from '../../codegen/memory-access.js';
import { MODE_CODE32, MODE_FLAT, MODE_PROTECTED, MODE_SEG_SHIFT, MODE_STACK32 } from '../../state/mode.js';
import { SEG_OPEN_READ_ONLY } from '../../state/segment-access.js';
import { SEG_CS } from '../../state/state.js';
import { decode, MODE32 } from '../../decoder/decode.js';
import { formatInsn, insnToString } from '../../decoder/disasm.js';
import { hex32, printBlock } from '../../ir/print.js';
import type { Block } from '../../ir/types.js';
import type { CodeFetcher } from '../../lift/code-fetcher.js';
import { ArrayCodeFetcher } from '../../lift/code-fetcher.js';
import { liftBlock } from '../../lift/lifter.js';
import { parseElf32, type Elf32File } from '../../loader/elf32.js';
import { optimize, parseNoOpt, type PassName } from '../../passes/pipeline.js';
import { PhysicalMemory } from '../../memory/physical-memory.js';
import { processIo, type CommandIo } from '../command-io.js';
import { describeFailure, UsageError } from '../failure.js';

const USAGE = 'usage: btvm ir FILE --at ADDR [--raw --base ADDR] [--no-opt=NAME[,NAME…]]';
const HELP = `${USAGE}

Translates the block at ADDR and prints it after each stage: decoded
instructions, lifted IR, the IR after each optimisation pass, and the
generated JavaScript.

options:
  --at ADDR|SYMBOL   guest address of the block (0x… or decimal), or an ELF symbol's name
  --raw              FILE is a flat image, not ELF
  --base ADDR        address of the image's first byte (with --raw)
  --no-opt=NAME,...  switch optimisation passes off (repeatable; also --no-opt NAME)
  -h, --help         this text
`;
const PT_LOAD = 1;
/** The mode word of the fixture kernels' world: 32-bit code and stack, flat segments, protected, paging off. */
/**
 * The mode word `btvm run` translates a flat ring-0 guest under (what `-d ir` prints for it):
 * 32-bit code and stack, flat, protected, and CS's access class read-only (a write through CS is #GP).
 */
const FLAT32 = MODE_CODE32 | MODE_STACK32 | MODE_FLAT | MODE_PROTECTED | (SEG_OPEN_READ_ONLY << (MODE_SEG_SHIFT + 2 * SEG_CS));

/** A mistake in the command line or the input file, reported in one line. */
export class IrCommandError extends UsageError {}

interface Options {
  file: string;
  at: number | null;
  /** --at NAME: an ELF symbol, resolved once the file is read. */
  atSymbol: string | null;
  raw: boolean;
  base: number | null;
  noOpt: string;
}

function parseAddress(flag: string, v: string | undefined): number {
  const n = v === undefined || v === '' ? NaN : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new IrCommandError(`${flag} needs an address (0x… or decimal), got '${v ?? ''}'`);
  return n;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { file: '', at: null, atSymbol: null, raw: false, base: null, noOpt: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--raw') o.raw = true;
    else if (a === '--at') {
      const v = argv[++i];
      if (v !== undefined && /^[A-Za-z_.$][\w.$@]*$/.test(v)) o.atSymbol = v;
      else o.at = parseAddress('--at', v);
    }
    else if (a === '--base') o.base = parseAddress('--base', argv[++i]);
    else if (a === '--no-opt') o.noOpt += ',' + (argv[++i] ?? '');
    else if (a.startsWith('--no-opt=')) o.noOpt += ',' + a.slice('--no-opt='.length);
    else if (a.startsWith('-')) throw new IrCommandError(`unknown option '${a}'`);
    else if (o.file === '') o.file = a;
    else throw new IrCommandError(`unexpected argument '${a}'`);
  }
  if (o.file === '') throw new IrCommandError('missing FILE');
  if (o.at === null && o.atSymbol === null) throw new IrCommandError('missing --at ADDR');
  if (o.atSymbol !== null && o.raw) throw new IrCommandError(`--at ${o.atSymbol}: a raw image has no symbols (give an address)`);
  if (o.raw !== (o.base !== null)) throw new IrCommandError('--raw and --base ADDR go together');
  return o;
}

/** Code bytes of an ELF image: its PT_LOAD segments at their virtual addresses (bss reads as zeros). */
class ElfCodeFetcher implements CodeFetcher {
  constructor(private readonly segments: readonly { vaddr: number; memsz: number; data: Uint8Array }[]) {}

  read(linear: number, into: Uint8Array): number {
    const s = this.segments.find((seg) => ((linear - seg.vaddr) >>> 0) < seg.memsz);
    if (s === undefined) return 0;
    const off = (linear - s.vaddr) >>> 0;
    const n = Math.min(into.length, s.memsz - off);
    for (let i = 0; i < n; i++) into[i] = off + i < s.data.length ? s.data[off + i]! : 0;
    return n;
  }

  covers(address: number): boolean {
    return this.segments.some((seg) => ((address - seg.vaddr) >>> 0) < seg.memsz);
  }
}

/** The address of the defined ELF symbol `name` (the first in table order). */
function symbolAddress(elf: Elf32File, name: string, file: string): number {
  for (const table of elf.symbolTables.values()) {
    for (const s of table) if (s.name === name && s.shndx !== 0) return s.value >>> 0;
  }
  throw new IrCommandError(`no symbol '${name}' in ${file}`);
}

function codeOf(o: Options, bytes: Uint8Array): { fetcher: CodeFetcher; covers: (a: number) => boolean } {
  if (o.raw) {
    const base = o.base!;
    return { fetcher: new ArrayCodeFetcher(bytes, base), covers: (a) => ((a - base) >>> 0) < bytes.length };
  }
  const elf = parseElf32(bytes);
  if (o.atSymbol !== null) o.at = symbolAddress(elf, o.atSymbol, o.file);
  const segments = elf.programHeaders
    .filter((p) => p.type === PT_LOAD && p.memsz > 0)
    .map((p) => ({ vaddr: p.vaddr >>> 0, memsz: p.memsz, data: bytes.subarray(p.offset, p.offset + p.filesz) }));
  const f = new ElfCodeFetcher(segments);
  return { fetcher: f, covers: (a) => f.covers(a) };
}

/** Every stage of one block's translation. */
export interface IrStages {
  readonly lifted: Block;
  readonly passes: readonly { readonly name: PassName; readonly block: Block }[];
  readonly optimised: Block;
  /** The factory source codegen produced for a region of just this block. */
  readonly javascript: string;
}

export function translateStages(code: CodeFetcher, address: number, disabled: ReadonlySet<PassName>, registerLocals: boolean): IrStages {
  const lifted = liftBlock(code, address, { codeSize: 4, flatSegments: true, mode: FLAT32 });
  const passes: { name: PassName; block: Block }[] = [];
  // Paging is off, so loads cannot fault: the same options the CPU runtime uses (exec/cpu-runtime.ts).
  const optimised = optimize(lifted, {
    disabled, verify: true, memoryCannotFault: true, onPass: (name, block) => passes.push({ name, block }),
  });
  // Codegen only needs memory to name in the generated text; one page stands in for guest RAM.
  const mem = new PhysicalMemoryEmitter(new PhysicalMemory(4096), new Uint8Array(1), () => 0);
  const javascript = generateRegion({ entry: address, mode: FLAT32, blocks: [optimised] }, mem, { registerLocals }).source;
  return { lifted, passes, optimised, javascript };
}

/** What an instruction became, when it is not plain inline IR: VMM calls and certain exceptions. */
function notesByInstruction(block: Block): Map<number, string> {
  const notes = new Map<number, string>();
  let at = -1;
  const add = (s: string): void => { notes.set(at, notes.has(at) ? `${notes.get(at)}, ${s}` : s); };
  for (const op of block.ops) {
    if (op.op === 'insn') at = op.address;
    else if (op.op === 'emulate') add(`VMM call: emulate ${op.routine}`);
    else if (op.op === 'raise' && op.cond === null) add(`raises #${op.vector}`);
  }
  return notes;
}

function disassembly(code: CodeFetcher, block: Block): string[] {
  const notes = notesByInstruction(block);
  const lines: string[] = [];
  const buf = new Uint8Array(16);
  for (const op of block.ops) {
    if (op.op !== 'insn') continue;
    const n = code.read(op.address, buf);
    const bytes = buf.slice(0, Math.min(n, op.length));
    const insn = decode(bytes, 0, op.address, MODE32);
    const text = insn.status === 'ok' ? insnToString(formatInsn(insn, bytes, 0)) : op.text;
    const hexBytes = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const note = notes.get(op.address);
    lines.push(`  ${(op.address >>> 0).toString(16).padStart(8, '0')}:  ${hexBytes.padEnd(21)} ${text}${note ? `    <- ${note}` : ''}`);
  }
  return lines;
}


export async function irCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  let o: Options;
  let selection: ReturnType<typeof parseNoOpt>;
  let code: ReturnType<typeof codeOf>;
  try {
    o = parseArgs(argv);
    selection = parseNoOpt(o.noOpt);
    code = codeOf(o, new Uint8Array(readFileSync(o.file)));
    if (!code.covers(o.at!)) throw new IrCommandError(`address ${hex32(o.at!)} is not in ${o.raw ? 'the raw image' : 'a loaded segment'} of ${o.file}`);
  } catch (e) {
    const { message, status } = describeFailure(e);
    io.err(`btvm ir: ${message}${e instanceof IrCommandError ? `\n${USAGE}` : ''}\n`);
    return status;
  }
  const at = o.at!;
  const stages = translateStages(code.fetcher, at, selection.disabled, !selection.noLocals);
  const out: string[] = [];
  const b = stages.lifted;
  out.push(`== guest code at ${hex32(at)}: ${b.guestInsns} instructions, ${b.guestLength} bytes`);
  out.push(...disassembly(code.fetcher, b));
  out.push('', '== lifted IR', printBlock(b).trimEnd());
  // A pass that changed nothing gets its title only, so the listing shows what each pass did.
  let previous = printBlock(b).trimEnd();
  for (const p of stages.passes) {
    const text = printBlock(p.block).trimEnd();
    out.push('', text === previous ? `== after ${p.name}: unchanged` : `== after ${p.name}`);
    if (text !== previous) out.push(text);
    previous = text;
  }
  if (selection.disabled.size > 0) out.push('', `(passes off: ${[...selection.disabled].join(', ')})`);
  out.push('', `== generated JavaScript (registers ${selection.noLocals ? 'in CpuState' : 'in JS locals'})`, readableSource(stages.javascript, [stages.optimised]).trimEnd());
  io.out(out.join('\n') + '\n');
  return 0;
}
