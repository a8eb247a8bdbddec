/**
 * Address → symbol lookups over an ELF file's symbols, built once.
 *
 * `btvm disasm` labels each address that starts a symbol and annotates
 * branch targets as `<sym+0x10>`; `btvm run -d in_asm` heads a block in a
 * function with `IN: name`, as QEMU does (FunctionRanges below). Building the index walks each distinct symbol table once
 * (sections sharing bytes share one array), so it costs O(symbols log
 * symbols) however many sections or executable sections the file has —
 * never sections × symbols.
 *
 * Which symbol names an address: functions over objects over the rest,
 * the first seen among equals (table order, then symbol order), and never
 * section or file symbols or unnamed ones — objdump's choices.
 */
import type { Elf32File, Elf32Symbol } from './elf32-types.js';

const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_SECTION = 3;
const STT_FILE = 4;

/** The symbols of one section (or of the whole file), by address. */
export class SymbolIndex {
  private readonly names = new Map<number, string>();
  private readonly ranks = new Map<number, number>();
  private sorted: number[] | null = null;

  add(address: number, name: string, rank: number): void {
    if ((this.ranks.get(address) ?? 0) < rank) {
      this.names.set(address, name);
      this.ranks.set(address, rank);
      this.sorted = null;
    }
  }

  /** The symbol that starts at `address`, if any. */
  labelAt(address: number): string | undefined {
    return this.names.get(address);
  }

  /** The nearest symbol at or below `address` and the distance to it, or null. */
  nearest(address: number): { name: string; offset: number } | null {
    this.sorted ??= [...this.names.keys()].sort((a, b) => a - b);
    const s = this.sorted;
    const best = lastAtOrBelow(s, address);
    return best < 0 ? null : { name: this.names.get(s[best]!)!, offset: address - s[best]! };
  }
}

/** The index of the last element of ascending `sorted` at or below `value`, or -1. */
function lastAtOrBelow(sorted: readonly number[], value: number): number {
  let lo = 0, hi = sorted.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

function rankOf(type: number): number {
  return type === STT_FUNC ? 3 : type === STT_OBJECT ? 2 : 1;
}

/** One index per section index that has symbols; `all` gathers every defined symbol regardless of section. */
export function indexSymbols(elf: Elf32File): { bySection: ReadonlyMap<number, SymbolIndex>; all: SymbolIndex } {
  const bySection = new Map<number, SymbolIndex>();
  const all = new SymbolIndex();
  for (const table of new Set(elf.symbolTables.values())) {
    for (const s of table) {
      if (s.shndx === 0 || s.name === '' || s.type === STT_SECTION || s.type === STT_FILE) continue;
      const rank = rankOf(s.type);
      let idx = bySection.get(s.shndx);
      if (idx === undefined) bySection.set(s.shndx, (idx = new SymbolIndex()));
      idx.add(s.value, s.name, rank);
      all.add(s.value, s.name, rank);
    }
  }
  return { bySection, all };
}

/**
 * The function whose bytes hold an address, by QEMU's rule for `-d in_asm`'s
 * `IN:` lines: only defined STT_FUNC symbols, each covering [value, value +
 * size), so a symbol without a size (an assembler label) names nothing.
 */
export class FunctionRanges {
  private readonly starts: number[];
  private readonly ends: number[];
  private readonly names: string[];

  constructor(functions: readonly { readonly value: number; readonly size: number; readonly name: string }[]) {
    const sorted = [...functions].sort((a, b) => (a.value >>> 0) - (b.value >>> 0));
    this.starts = sorted.map((f) => f.value >>> 0);
    this.ends = sorted.map((f) => (f.value >>> 0) + f.size);
    this.names = sorted.map((f) => f.name);
  }

  /** The name of the function containing `address`, if any. */
  nameAt(address: number): string | undefined {
    const a = address >>> 0;
    const best = lastAtOrBelow(this.starts, a);
    // Functions do not nest, so the last one starting at or below the address is the only candidate.
    return best >= 0 && a < this.ends[best]! ? this.names[best] : undefined;
  }
}

export function indexFunctions(elf: Elf32File): FunctionRanges {
  const functions: Elf32Symbol[] = [];
  for (const table of new Set(elf.symbolTables.values())) {
    for (const s of table) if (s.type === STT_FUNC && s.shndx !== 0 && s.size > 0 && s.name !== '') functions.push(s);
  }
  return new FunctionRanges(functions);
}
