/**
 * Image fuzzing: mutated ELF kernels, Multiboot a.out-kludge kernels and flat
 * images through every reader of image files — the ELF parser (sections,
 * symbol tables, the symbol index), `btvm disasm`, `btvm ir`, the Multiboot
 * and flat loaders — in this process.
 *
 * A case passes when each reader ends with its result or a user error (exit
 * 2, one line); it is a finding when one ends with an internal error (exit
 * 70 or an exception describeFailure calls internal), prints a host stack
 * trace, or takes longer than the time limit (the caller's watchdog catches a
 * case that never ends, and a V8 abort).
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { disasmCommand } from '../../src/cli/commands/disasm.js';
import { irCommand } from '../../src/cli/commands/ir.js';
import { describeFailure } from '../../src/cli/failure.js';
import { parseElf32 } from '../../src/loader/elf32.js';
import { indexSymbols } from '../../src/loader/elf32-symbol-index.js';
import { loadFlat } from '../../src/loader/flat.js';
import { loadMultiboot } from '../../src/loader/multiboot.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import type { Finding } from './finding.js';
import { Random } from './random.js';

/** Guest RAM the loaders place images into: small, so a case stays cheap. */
const RAM_BYTES = 16 << 20;
/** A reader slower than this on one image, in CPU time (as guest-cases.ts, for the same reason), is a finding. */
const SLOW_MS = 5000;
const INTERESTING = [0, 1, 2, 0x10, 0x28, 0x34, 0x7f, 0x80, 0xff, 0xfff, 0x1000, 0xffff, 0xff00, 0xfff1, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

type BaseKind = 'elf' | 'aout' | 'flat';

interface Base {
  readonly kind: BaseKind;
  readonly name: string;
  readonly bytes: Uint8Array;
}

let bases: Base[] | null = null;

/** The repository's small ELF kernels (symbols, several sections and segments), one a.out-kludge kernel, one flat image. */
function baseImages(root: string): Base[] {
  if (bases !== null) return bases;
  const list: Base[] = [];
  for (const dir of ['fixtures/kernels', 'fixtures/system', 'fixtures/nano']) {
    const d = join(root, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).filter((n) => n.endsWith('.elf')).sort()) {
      const bytes = new Uint8Array(readFileSync(join(d, f)));
      if (bytes.length <= 64 << 10) list.push({ kind: 'elf', name: `${dir}/${f}`, bytes });
    }
  }
  list.push({ kind: 'aout', name: 'a.out kludge', bytes: aoutKernel() });
  list.push({ kind: 'flat', name: 'flat', bytes: new Random(1).bytes(512) });
  bases = list;
  return list;
}

/** A Multiboot kernel loaded by its header's address fields: header at 0, load_addr 0x100000, bss after the file. */
function aoutKernel(): Uint8Array {
  const b = new Uint8Array(256);
  const v = new DataView(b.buffer);
  const flags = 0x10003;
  [0x1badb002, flags, (-(0x1badb002 + flags)) >>> 0, 0x100000, 0x100000, 0x100100, 0x101000, 0x100020].forEach((x, i) => v.setUint32(4 * i, x, true));
  b.set([0xb0, 0x10, 0xe6, 0xf4, 0xf4], 0x20);
  return b;
}

/** File offsets a mutation of an ELF prefers: header fields and the tables they point at. */
function hotOffsets(bytes: Uint8Array): number[] {
  const hot: number[] = [];
  for (let i = 16; i < 52; i += 2) hot.push(i);
  if (bytes.length < 52) return hot;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = v.getUint32(28, true), shoff = v.getUint32(32, true);
  const phnum = v.getUint16(44, true), shnum = v.getUint16(48, true);
  for (let i = 0; i < Math.min(phnum, 16); i++) for (let k = 0; k < 32; k += 4) hot.push(phoff + i * 32 + k);
  for (let i = 0; i < Math.min(shnum, 64); i++) for (let k = 0; k < 40; k += 4) hot.push(shoff + i * 40 + k);
  // The symbol tables' entries: name, value, size, info/other/shndx.
  for (let i = 0; i < Math.min(shnum, 64); i++) {
    const at = shoff + i * 40;
    if (at + 40 > bytes.length || v.getUint32(at + 4, true) !== 2) continue;
    const off = v.getUint32(at + 16, true), size = v.getUint32(at + 20, true);
    for (let k = 0; k < Math.min(size, 512) && off + k < bytes.length; k += 4) hot.push(off + k);
  }
  return hot.filter((o) => o >= 0 && o + 4 <= bytes.length);
}

/** `base` with 1–8 mutations chosen by `rng`. */
export function mutate(base: Base, rng: Random): Uint8Array {
  let bytes = base.bytes.slice();
  const hot = base.kind === 'elf' ? hotOffsets(bytes) : [0, 4, 8, 12, 16, 20, 24, 28];
  const n = 1 + rng.below(8);
  for (let i = 0; i < n; i++) {
    const v = new DataView(bytes.buffer);
    switch (rng.below(7)) {
      case 0: { // one random byte
        if (bytes.length > 0) bytes[rng.below(bytes.length)] = rng.u32() & 0xff;
        break;
      }
      case 1: case 2: { // an interesting value in a field
        const at = hot.length > 0 ? rng.pick(hot) : rng.below(Math.max(1, bytes.length - 4));
        if (at + 4 > bytes.length) break;
        // Random, interesting, small (section indexes, counts) or near the file's end.
        const value = [rng.u32(), rng.pick(INTERESTING), rng.below(64), bytes.length - rng.below(64)][rng.below(4)]!;
        if (rng.below(2) === 0) v.setUint32(at, value >>> 0, true); else v.setUint16(at, value & 0xffff, true);
        break;
      }
      case 3: { // truncate, now and then: section headers sit at the end, so a cut usually ends parsing early
        if (rng.below(4) === 0) bytes = bytes.slice(0, rng.below(bytes.length + 1));
        else if (bytes.length > 0) bytes[rng.below(bytes.length)] ^= 1 << rng.below(8);
        break;
      }
      case 4: { // copy one 40-byte run (a section header, say) over others
        if (bytes.length < 80) break;
        const from = rng.pick(hot.length > 0 ? hot : [0]);
        const src = bytes.slice(from, Math.min(from + 40, bytes.length));
        for (let k = 0, count = 1 + rng.below(16); k < count; k++) {
          const to = rng.pick(hot.length > 0 ? hot : [0]);
          if (to + src.length <= bytes.length) bytes.set(src, to);
        }
        break;
      }
      case 5: { // extended numbering: e_shnum 0 and the count in section header 0, or e_phnum = PN_XNUM
        if (base.kind !== 'elf' || bytes.length < 52) break;
        const shoff = v.getUint32(32, true);
        if (rng.below(2) === 0) {
          v.setUint16(48, 0, true);
          if (shoff + 40 <= bytes.length) v.setUint32(shoff + 20, rng.pick(INTERESTING), true);
        } else {
          v.setUint16(44, 0xffff, true);
          if (shoff + 40 <= bytes.length) v.setUint32(shoff + 28, rng.pick(INTERESTING), true);
        }
        break;
      }
      default: { // grow with random bytes
        const extra = rng.bytes(rng.below(256));
        const grown = new Uint8Array(bytes.length + extra.length);
        grown.set(bytes);
        grown.set(extra, bytes.length);
        bytes = grown;
      }
    }
  }
  return bytes;
}

interface Captured { out: number; err: string }

function capture(): { io: { out(t: string): void; err(t: string): void }; got: Captured } {
  const got: Captured = { out: 0, err: '' };
  return { io: { out: (t) => { got.out += t.length; }, err: (t) => { got.err += t; } }, got };
}

/** One reader: a finding when it fails as a bug rather than as bad input. */
async function check(family: 'image', seed: number, what: string, step: () => unknown): Promise<Finding | null> {
  const cpu0 = process.cpuUsage();
  try {
    await step();
  } catch (e) {
    const { status, message } = describeFailure(e);
    if (status !== 2) return { kind: 'internal-error', family, seed, detail: `${what}: ${message}${e instanceof Error ? ` ${e.stack?.split('\n')[1]?.trim() ?? ''}` : ''}` };
  }
  const cpu = process.cpuUsage(cpu0);
  const ms = (cpu.user + cpu.system) / 1000;
  return ms > SLOW_MS ? { kind: 'timeout', family, seed, detail: `${what} took ${Math.round(ms)} ms of CPU` } : null;
}

/** A command run with captured output: exit 70 or a stack trace on stderr is a finding. */
async function command(seed: number, what: string, run: (io: ReturnType<typeof capture>['io']) => Promise<number>): Promise<Finding | null> {
  const { io, got } = capture();
  let status = 0;
  const f = await check('image', seed, what, async () => { status = await run(io); });
  if (f !== null) return f;
  if (status === 70) return { kind: 'internal-error', family: 'image', seed, detail: `${what}: ${got.err.trim()}` };
  if (/\n\s+at /.test(got.err)) return { kind: 'stack-trace', family: 'image', seed, detail: `${what}: ${got.err.slice(0, 300)}` };
  return null;
}

/**
 * Image case `seed`: a mutated base image through every reader. `scratch` is
 * a file the commands may read (overwritten each case).
 */
export async function runImageCase(seed: number, root: string, scratch: string): Promise<Finding | null> {
  const rng = new Random(seed);
  const base = rng.pick(baseImages(root));
  const bytes = mutate(base, rng);
  writeFileSync(scratch, bytes);
  const steps: [string, () => Promise<Finding | null>][] = [];
  if (base.kind === 'elf') {
    steps.push(['parse', () => check('image', seed, 'parseElf32', () => {
      const elf = parseElf32(bytes);
      indexSymbols(elf).all.nearest(elf.header.entry);
    })]);
    steps.push(['disasm', () => command(seed, 'disasm', (io) => disasmCommand([scratch], io))]);
    const entry = bytes.length >= 28 ? new DataView(bytes.buffer).getUint32(24, true) : 0;
    steps.push(['ir', () => command(seed, 'ir', (io) => irCommand([scratch, '--at', String(entry)], io))]);
  } else {
    const base = 0x100000;
    steps.push(['disasm --raw', () => command(seed, 'disasm --raw', (io) => disasmCommand(['--raw', '--base', String(base), scratch], io))]);
    steps.push(['ir --raw', () => command(seed, 'ir --raw', (io) => irCommand([scratch, '--raw', '--base', String(base), '--at', String(base + rng.below(Math.max(1, bytes.length)))], io))]);
    steps.push(['loadFlat', () => check('image', seed, 'loadFlat', () => loadFlat(new PhysicalMemory(RAM_BYTES), bytes, base, base))]);
  }
  if (base.kind !== 'flat') steps.push(['loadMultiboot', () => check('image', seed, 'loadMultiboot', () => loadMultiboot(new PhysicalMemory(RAM_BYTES), bytes))]);
  for (const [, step] of steps) {
    const f = await step();
    if (f !== null) return f;
  }
  return null;
}
