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
 * fields, opLists: [[operand name]], forms: [[value per field, operands as
 * an opLists index]], layout }. `layout` is the slot tables as isa-tables.ts
 * indexed them (modrmNeed bytes; per slot table a flat list of slot, count,
 * form ids in order), so loading runs no sorting or checking — only array
 * fills. Forms are rebuilt with the parser's field order (newDecoderForm in
 * form.ts), so they have the parser's object shape.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DECODER_FORM_FIELDS, type DecoderForm } from './form.js';
import { assembleTables, type IsaTables } from './isa-tables.js';
import { OPERAND_SPECS, type OperandSpec } from './operand-specs.js';

export const SNAPSHOT_VERSION = 2;
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
  readonly forms: readonly (readonly unknown[])[];
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
  const forms = t.forms.map((f) => DECODER_FORM_FIELDS.map((k) => {
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
    forms,
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
  const forms: DecoderForm[] = new Array(snap.forms.length);
  for (let n = 0; n < forms.length; n++) {
    const v = snap.forms[n]!;
    const ops = opLists[v[OPS_AT] as number];
    if (ops === undefined || v[0] !== n) return null;
    forms[n] = formFromValues(v, ops);
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
 * A form from its values in DECODER_FORM_FIELDS order (checked by the
 * caller). The literal lists the fields in newDecoderForm's order, so V8
 * gives these objects the parser's hidden class (test/isa checks the order);
 * positional rather than one call per field, since this runs cold.
 */
function formFromValues(v: readonly unknown[], ops: readonly OperandSpec[]): DecoderForm {
  return {
    id: v[0] as number, mnemonic: v[1] as string, cls: v[2] as DecoderForm['cls'], flagsRead: v[3] as number,
    flagsWritten: v[4] as number, flagsUndefined: v[5] as number, lockable: v[6] as boolean,
    repMode: v[7] as DecoderForm['repMode'], file: v[8] as string, line: v[9] as number, map: v[10] as number,
    opcode: v[11] as number, pfx: v[12] as number, hasModrm: v[13] as boolean, reg: v[14] as number, rm: v[15] as number,
    mod: v[16] as number, osz: v[17] as 0 | 2 | 4, asz: v[18] as 0 | 2 | 4, ops, constrained: v[20] as boolean,
    usesOpSize: v[21] as boolean, vex: v[22] as boolean, vexL: v[23] as number, vexW: v[24] as number,
    bnd: v[25] as boolean, notrack: v[26] as boolean, ignoresMod: v[27] as boolean, encoding: v[28] as string,
    operandText: v[29] as string,
  };
}
