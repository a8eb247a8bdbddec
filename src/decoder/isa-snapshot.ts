/**
 * The generated table snapshot: isa/ parsed at build time, loaded at start-up.
 *
 * Lexing and parsing isa/*.isa costs tens of milliseconds in a fresh
 * process (cold JIT, loading moo). `npm run build` therefore runs
 * build-tables.js, which parses isa/ once and writes the parsed forms to
 * dist/src/decoder/isa-tables.snapshot.json. getTables() (isa-tables.ts)
 * loads that file instead of parsing — but only when the snapshot was made
 * from exactly the isa/ texts on disk now (it stores them and compares), so
 * isa/ stays the one source of truth: edit a row and the next start parses
 * again until the next build. It also stores the compiled code that turns
 * isa/ into forms (CODE_FILES), so a plain `tsc` run that changed the
 * parser without re-running build-tables.js cannot serve forms the new
 * parser would not make. Any unreadable, foreign or stale snapshot is
 * ignored the same way. Running from src/ (vitest) there is no snapshot and
 * the tables are always parsed.
 *
 * Format (JSON): { version, sources: [{file, text}], code: [{file, text}],
 * fields, opLists: [[operand name]], count, columns: [[value per form] per
 * field, operands as an opLists index], layout }. Columns rather than one
 * array per form: JSON.parse then makes 30 arrays instead of 1100, and a
 * start-up that allocates less also scavenges less (it is all live data). `layout` is the slot tables as isa-tables.ts
 * indexed them (modrmNeed bytes; per slot table a flat list of slot, count,
 * form ids in order), so loading runs no sorting or checking — only array
 * fills. Forms are rebuilt with the parser's field order (newDecoderForm in
 * form.ts), so they have the parser's object shape.
 */
import { fs, url } from './builtins.js';
import { DECODER_FORM_FIELDS, type DecoderForm } from './form.js';
import { assembleTables, type IsaTables } from './isa-tables.js';
import { OPERAND_SPECS, type OperandSpec } from './operand-specs.js';

const { existsSync, readFileSync } = fs;
const { fileURLToPath } = url;

export const SNAPSHOT_VERSION = 3;
export const SNAPSHOT_FILE = 'isa-tables.snapshot.json';

export interface IsaSource {
  readonly file: string;
  readonly text: string;
}

export interface IsaSnapshot {
  readonly version: number;
  readonly sources: readonly IsaSource[];
  readonly code: readonly IsaSource[];
  readonly fields: readonly string[];
  readonly opLists: readonly (readonly string[])[];
  /** Number of forms; every column has this many values. */
  readonly count: number;
  /** One array per field (DECODER_FORM_FIELDS order), indexed by form id. */
  readonly columns: readonly (readonly unknown[])[];
  readonly layout: SnapshotLayout;
}

export interface SnapshotLayout {
  readonly modrmNeed: readonly number[];
  readonly vexModrmNeed: readonly number[];
  /** Per table: slot, count, ids…, slot, count, ids… */
  readonly cands: readonly number[];
  readonly vexCands: readonly number[];
  readonly fwait: readonly number[];
}

function flattenSlots(slots: readonly (readonly DecoderForm[] | null)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < slots.length; i++) {
    const list = slots[i];
    if (list == null) continue;
    out.push(i, list.length);
    for (const f of list) out.push(f.id);
  }
  return out;
}

/** Slot lists from flattenSlots' output; lists of several rows are frozen, as isa-tables.ts leaves them. */
function unflattenSlots(flat: readonly number[], size: number, forms: readonly DecoderForm[]): (readonly DecoderForm[] | null)[] | null {
  const slots: (readonly DecoderForm[] | null)[] = new Array(size).fill(null);
  for (let k = 0; k < flat.length;) {
    const slot = flat[k]!;
    const n = flat[k + 1]!;
    if (!(slot >= 0 && slot < size && n > 0)) return null;
    const list: DecoderForm[] = new Array(n);
    for (let j = 0; j < n; j++) {
      const f = forms[flat[k + 2 + j]!];
      if (f === undefined) return null;
      list[j] = f;
    }
    slots[slot] = n > 1 ? Object.freeze(list) : list;
    k += 2 + n;
  }
  return slots;
}

/** Compiled modules whose behaviour decides the forms (parser, lexer, operand and form definitions, indexing). */
export const CODE_FILES = [
  'form.js', 'insn.js', 'isa-lexer.js', 'isa-parser.js', 'isa-snapshot.js', 'isa-tables.js', 'operand-specs.js',
  'register-operands.js',
] as const;

/** Where the snapshot lives: next to this module (dist/src/decoder/ after a build). */
export function snapshotPath(): string {
  return fileURLToPath(new URL(SNAPSHOT_FILE, import.meta.url));
}

/**
 * The texts of CODE_FILES next to this module, or null where they are not
 * all there (running from TypeScript sources: no snapshot applies).
 */
export function readCodeFiles(): IsaSource[] | null {
  const out: IsaSource[] = [];
  for (const name of CODE_FILES) {
    const url = new URL(name, import.meta.url);
    if (!existsSync(url)) return null;
    out.push({ file: name, text: readFileSync(url, 'utf8') });
  }
  return out;
}

export function makeSnapshot(sources: readonly IsaSource[], code: readonly IsaSource[], t: IsaTables): IsaSnapshot {
  const opLists: string[][] = [];
  const opIndex = new Map<string, number>();
  const columns = DECODER_FORM_FIELDS.map((k) => t.forms.map((f) => {
    if (k !== 'ops') return f[k];
    const key = f.ops.map((s) => s.name).join(',');
    let i = opIndex.get(key);
    if (i === undefined) {
      i = opLists.length;
      opLists.push(f.ops.map((s) => s.name));
      opIndex.set(key, i);
    }
    return i;
  }));
  return {
    version: SNAPSHOT_VERSION,
    sources: sources.map((s) => ({ file: s.file, text: s.text })),
    code: code.map((s) => ({ file: s.file, text: s.text })),
    fields: [...DECODER_FORM_FIELDS],
    opLists,
    count: t.forms.length,
    columns,
    layout: {
      modrmNeed: [...t.modrmNeed], vexModrmNeed: [...t.vexModrmNeed], cands: flattenSlots(t.cands),
      vexCands: flattenSlots(t.vexCands), fwait: flattenSlots(t.fwait),
    },
  };
}

/** The snapshot at `path`, or null when it is missing or not valid JSON. */
export function readSnapshot(path: string): IsaSnapshot | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as IsaSnapshot;
  } catch {
    return null;
  }
}

function sameSources(a: readonly IsaSource[], b: readonly IsaSource[]): boolean {
  if (!Array.isArray(a) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.file !== b[i]!.file || a[i]!.text !== b[i]!.text) return false;
  }
  return true;
}

/**
 * The tables stored in `snap`, if it was made from exactly `sources` by
 * exactly `code` in this snapshot format; null otherwise (the caller parses
 * isa/ instead).
 */
export function tablesFromSnapshot(snap: IsaSnapshot, sources: readonly IsaSource[], code: readonly IsaSource[], t0: number): IsaTables | null {
  if (snap.version !== SNAPSHOT_VERSION || !sameSources(snap.sources, sources) || !sameSources(snap.code, code)) return null;
  const fields = snap.fields;
  if (!Array.isArray(fields) || fields.length !== DECODER_FORM_FIELDS.length) return null;
  for (let i = 0; i < fields.length; i++) if (fields[i] !== DECODER_FORM_FIELDS[i]) return null;
  const opLists: (readonly OperandSpec[])[] = new Array(snap.opLists.length);
  for (let n = 0; n < opLists.length; n++) {
    const names = snap.opLists[n]!;
    const ops: OperandSpec[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      const spec = OPERAND_SPECS.get(names[i]!);
      if (spec === undefined) return null;
      ops[i] = spec;
    }
    opLists[n] = Object.freeze(ops);
  }
  const n = snap.count;
  const cols = snap.columns;
  if (!Number.isInteger(n) || !Array.isArray(cols) || cols.length !== fields.length) return null;
  for (let k = 0; k < cols.length; k++) if (!Array.isArray(cols[k]) || cols[k]!.length !== n) return null;
  const idCol = cols[0]!;
  const opsCol = cols[OPS_AT]!;
  const forms: DecoderForm[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const ops = opLists[opsCol[i] as number];
    if (ops === undefined || idCol[i] !== i) return null;
    forms[i] = formFromColumns(cols, i, ops);
  }
  const L = snap.layout;
  const cands = unflattenSlots(L.cands, 4 * 2048, forms);
  const vexCands = unflattenSlots(L.vexCands, 4 * 2048, forms);
  const fwait = unflattenSlots(L.fwait, 256 * 8, forms);
  if (cands === null || vexCands === null || fwait === null) return null;
  return assembleTables(forms, new Uint8Array(L.modrmNeed), cands, new Uint8Array(L.vexModrmNeed), vexCands, fwait, t0, 'snapshot');
}

const OPS_AT = DECODER_FORM_FIELDS.indexOf('ops');

/**
 * Form i from the columns (in DECODER_FORM_FIELDS order, checked by the
 * caller). The literal lists the fields in newDecoderForm's order, so V8
 * gives these objects the parser's hidden class (test/isa checks the order);
 * positional rather than one call per field, since this runs cold.
 */
function formFromColumns(c: readonly (readonly unknown[])[], i: number, ops: readonly OperandSpec[]): DecoderForm {
  return {
    id: i, mnemonic: c[1]![i] as string, cls: c[2]![i] as DecoderForm['cls'], flagsRead: c[3]![i] as number,
    flagsWritten: c[4]![i] as number, flagsUndefined: c[5]![i] as number, lockable: c[6]![i] as boolean,
    repMode: c[7]![i] as DecoderForm['repMode'], file: c[8]![i] as string, line: c[9]![i] as number, map: c[10]![i] as number,
    opcode: c[11]![i] as number, pfx: c[12]![i] as number, hasModrm: c[13]![i] as boolean, reg: c[14]![i] as number,
    rm: c[15]![i] as number, mod: c[16]![i] as number, osz: c[17]![i] as 0 | 2 | 4, asz: c[18]![i] as 0 | 2 | 4, ops,
    constrained: c[20]![i] as boolean, usesOpSize: c[21]![i] as boolean, vex: c[22]![i] as boolean, vexL: c[23]![i] as number,
    vexW: c[24]![i] as number, bnd: c[25]![i] as boolean, notrack: c[26]![i] as boolean, ignoresMod: c[27]![i] as boolean,
    encoding: c[28]![i] as string, operandText: c[29]![i] as string,
  };
}
