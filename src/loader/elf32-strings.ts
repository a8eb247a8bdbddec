/**
 * String tables of an ELF32 file, read in time and memory linear in the file.
 *
 * A symbol or section name is the NUL-terminated string at an offset in a
 * string table. Names may start anywhere, share tails, or all start at the
 * same long string, so finding each end by scanning, and decoding each name
 * into a fresh string, would cost (names × table size): a 4.5 MB file whose
 * 20,000 symbols all name one 4 MiB string would need 80 GB. Instead each
 * table is indexed once, in one backward pass: for every 64-byte block, where
 * the next NUL and the next byte above 0x7F lie at or after its start
 * (1/8 of the table in memory). A name's end is then at most a block's scan
 * away. An all-ASCII name is a slice of one Latin-1 string of the whole table,
 * which V8 keeps as a view of it rather than a copy; only names holding
 * non-ASCII bytes are decoded as UTF-8, once per start offset, within a budget
 * of twice the table's size, so overlapping non-ASCII names cannot multiply
 * the file either.
 *
 * Tables are shared by byte range (stringTables() below): sections describing
 * the same bytes share one index, and two tables that partly overlap are
 * refused, so the indexes together never exceed the file.
 */
import { SHT } from './elf32-names.js';
import { ElfFormatError, type Elf32Section } from './elf32-types.js';

const BLOCK_SHIFT = 6;
const BLOCK = 1 << BLOCK_SHIFT;
const NONE = -1;
const utf8 = new TextDecoder('utf-8');

/** One string table, indexed for name lookups. */
export class StringTable {
  /** Per block: offset in the table of the first NUL / non-ASCII byte at or after the block's start, or NONE. */
  private readonly nulFrom: Int32Array;
  private readonly highFrom: Int32Array;
  private latin1: string | null = null;
  private readonly decoded = new Map<number, string>();
  private decodeBudget: number;

  constructor(
    private readonly bytes: Uint8Array,
    /** The first section found with this byte range; errors name it. */
    readonly section: Elf32Section,
  ) {
    const data = this.data();
    const blocks = (data.length + BLOCK - 1) >>> BLOCK_SHIFT;
    this.nulFrom = new Int32Array(blocks);
    this.highFrom = new Int32Array(blocks);
    let nul = NONE;
    let high = NONE;
    for (let i = data.length - 1; i >= 0; i--) {
      const b = data[i]!;
      if (b === 0) nul = i;
      else if (b > 0x7f) high = i;
      if ((i & (BLOCK - 1)) === 0) {
        this.nulFrom[i >>> BLOCK_SHIFT] = nul;
        this.highFrom[i >>> BLOCK_SHIFT] = high;
      }
    }
    this.decodeBudget = 2 * data.length + 4096;
  }

  private data(): Uint8Array {
    return this.bytes.subarray(this.section.offset, this.section.offset + this.section.size);
  }

  /** First offset at or after `from` holding a byte that `match` accepts, or NONE; scans at most one block. */
  private next(from: number, match: (b: number) => boolean, index: Int32Array): number {
    const data = this.data();
    const blockEnd = Math.min(((from >>> BLOCK_SHIFT) + 1) << BLOCK_SHIFT, data.length);
    for (let i = from; i < blockEnd; i++) if (match(data[i]!)) return i;
    const nextBlock = (from >>> BLOCK_SHIFT) + 1;
    return nextBlock < index.length ? index[nextBlock]! : NONE;
  }

  /** The name at `index`; `fieldOffset` is the file offset of the field that holds the index, for errors. */
  name(index: number, fieldOffset: number): string {
    const t = this.section;
    if (index >= t.size) throw new ElfFormatError(fieldOffset, `string offset ${index} is past the end of string table ${t.index}`);
    const end = this.next(index, isNul, this.nulFrom);
    if (end === NONE) throw new ElfFormatError(t.offset + index, `string in section ${t.index} is not NUL-terminated`);
    if (end === index) return '';
    const high = this.next(index, isHigh, this.highFrom);
    if (high === NONE || high > end) {
      this.latin1 ??= Buffer.from(this.bytes.buffer, this.bytes.byteOffset + t.offset, t.size).toString('latin1');
      return this.latin1.slice(index, end);
    }
    const known = this.decoded.get(index);
    if (known !== undefined) return known;
    this.decodeBudget -= end - index;
    if (this.decodeBudget < 0) {
      throw new ElfFormatError(fieldOffset, `non-ASCII names in string table ${t.index} overlap: they add up to more than twice its ${t.size} bytes`);
    }
    const s = utf8.decode(this.data().subarray(index, end));
    this.decoded.set(index, s);
    return s;
  }
}

function isNul(b: number): boolean {
  return b === 0;
}

function isHigh(b: number): boolean {
  return b > 0x7f;
}

/**
 * The string tables of one file, one per distinct byte range. `prepare`
 * checks the tables a parse step needs, all at once: each must be a string
 * table, and no two in use may partly overlap (sorted, so the check is
 * n log n in the number of tables, not quadratic).
 */
export class StringTables {
  private readonly byRange = new Map<string, StringTable>();

  constructor(private readonly bytes: Uint8Array) {}

  /** Indexes the string tables `uses` name; `fieldOffset` locates the link field that names each, for errors. */
  prepare(uses: readonly { section: Elf32Section; fieldOffset: number; what: string }[]): void {
    for (const u of uses) {
      if (u.section.type !== SHT.STRTAB) {
        throw new ElfFormatError(u.fieldOffset, `${u.what} links to section ${u.section.index}, which is not a string table`);
      }
    }
    const fresh = new Map<string, Elf32Section>();
    for (const u of uses) {
      const key = rangeKey(u.section);
      if (!this.byRange.has(key) && !fresh.has(key)) fresh.set(key, u.section);
    }
    if (fresh.size === 0) return;
    const all = [...this.byRange.values()].map((t) => t.section).concat([...fresh.values()]).filter((t) => t.size > 0);
    all.sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1]!;
      const b = all[i]!;
      if (b.offset < a.offset + a.size) {
        throw new ElfFormatError(b.offset, `string tables in sections ${a.index} and ${b.index} overlap without being the same bytes`);
      }
    }
    for (const [key, section] of fresh) this.byRange.set(key, new StringTable(this.bytes, section));
  }

  /** The table for `section`, which an earlier `prepare` covered. */
  get(section: Elf32Section): StringTable {
    return this.byRange.get(rangeKey(section))!;
  }
}

function rangeKey(s: Elf32Section): string {
  return `${s.offset}:${s.size}`;
}
