/**
 * The decoder's tables, built once from every isa/*.isa file.
 *
 * Layout: for each opcode map (one-byte, 0F, 0F38, 0F3A) a dense 256-entry
 * `modrmNeed` byte (0 = no row, 1 = no ModRM, 2 = ModRM) and a 2048-entry
 * candidate table indexed by opcode*8 + ModRM.reg (non-ModRM opcodes use
 * reg 0). A candidate list holds the rows that share that slot, most
 * specific first (mandatory prefix, fixed rm, mod, o16/o32); the decoder
 * takes the first whose constraints hold. A separate small table holds the
 * fwait-glued x87 control forms (9B D9 /7 fstcw …).
 *
 * Cross-row checks happen here: duplicate encodings and opcodes where some
 * rows have ModRM and others do not are reported with both rows' file:line.
 */
import { fs, path, url } from './builtins.js';
import type { DecoderForm } from './form.js';
import { MAP_NAMES, PFX_9B } from './form.js';
import { IsaSyntaxError } from './isa-errors.js';
import { parseIsaText } from './isa-parser.js';
import { readCodeFiles, readSnapshot, snapshotPath, tablesFromSnapshot, type IsaSource } from './isa-snapshot.js';

const { readdirSync, readFileSync, existsSync } = fs;
const { dirname, join, relative } = path;
const { fileURLToPath } = url;

export interface IsaTables {
  readonly forms: readonly DecoderForm[];
  /** map*256 + opcode → 0 undefined, 1 no ModRM, 2 ModRM. */
  readonly modrmNeed: Uint8Array;
  /** map*2048 + opcode*8 + reg → candidates, or null. */
  readonly cands: readonly (readonly DecoderForm[] | null)[];
  /** VEX rows: the same layout as modrmNeed / cands, maps 0F, 0F38, 0F3A. */
  readonly vexModrmNeed: Uint8Array;
  readonly vexCands: readonly (readonly DecoderForm[] | null)[];
  /** opcode(d8..df)*8 + reg → fwait-glued forms, or null. */
  readonly fwait: readonly (readonly DecoderForm[] | null)[];
  /** Milliseconds spent reading, lexing, parsing (or loading the snapshot) and indexing. */
  readonly buildMs: number;
  /** Parsed from isa/ now, or loaded from the build's snapshot of the same isa/ texts (isa-snapshot.ts). */
  readonly loadedFrom: 'parsed' | 'snapshot';
}

function specificity(f: DecoderForm): number {
  return (f.pfx !== 0 ? 16 : 0) + (f.vexL >= 0 ? 32 : 0) + (f.vexW >= 0 ? 32 : 0) + (f.rm >= 0 ? 8 : 0) + (f.mod !== 0 ? 4 : 0) + (f.osz !== 0 ? 2 : 0) + (f.asz !== 0 ? 1 : 0);
}

/** File a row under every ModRM.reg value it accepts (reg 0 only for opcodes without ModRM). */
function addToSlots(slots: (DecoderForm[] | null)[], f: DecoderForm): void {
  const base = f.map * 2048 + f.opcode * 8;
  const lo = f.hasModrm && f.reg >= 0 ? f.reg : 0;
  const hi = f.hasModrm ? (f.reg >= 0 ? f.reg + 1 : 8) : 1;
  for (let r = lo; r < hi; r++) (slots[base + r] ??= []).push(f);
}

/** Build tables from already-read sources ({file, text} in a fixed order). */
export function buildTables(sources: readonly IsaSource[]): IsaTables {
  const t0 = performance.now();
  const nextId = { value: 0 };
  const forms: DecoderForm[] = [];
  for (const s of sources) for (const f of parseIsaText(s.file, s.text, nextId)) forms.push(f);
  return indexForms(forms, t0);
}

/**
 * Index parsed forms (ids dense, in file order) into the decoder's tables,
 * after the checks that need all rows at once.
 */
export function indexForms(forms: DecoderForm[], t0: number): IsaTables {
  checkRows(forms);
  const modrmNeed = new Uint8Array(4 * 256);
  const slots: (DecoderForm[] | null)[] = new Array(4 * 2048).fill(null);
  const fwait: (DecoderForm[] | null)[] = new Array(256 * 8).fill(null);
  const vexModrmNeed = new Uint8Array(4 * 256);
  const vexSlots: (DecoderForm[] | null)[] = new Array(4 * 2048).fill(null);
  for (let i = 0; i < forms.length; i++) {
    const f = forms[i]!;
    const need = f.hasModrm ? 2 : 1;
    const ni = f.map * 256 + f.opcode;
    if (f.pfx === PFX_9B) {
      for (let r = f.reg >= 0 ? f.reg : 0; r < (f.reg >= 0 ? f.reg + 1 : 8); r++) (fwait[f.opcode * 8 + r] ??= []).push(f);
    } else if (f.vex) {
      // VEX opcodes never mix ModRM and non-ModRM rows (C5 F8 77 vzeroupper has none).
      vexModrmNeed[ni] = need;
      addToSlots(vexSlots, f);
    } else {
      modrmNeed[ni] = need;
      addToSlots(slots, f);
    }
  }
  return assembleTables(forms, modrmNeed, orderSlots(slots), vexModrmNeed, orderSlots(vexSlots), orderSlots(fwait), t0, 'parsed');
}

/** The frozen IsaTables record (also made by isa-snapshot.ts from a stored slot layout). */
export function assembleTables(
  forms: DecoderForm[], modrmNeed: Uint8Array, cands: (readonly DecoderForm[] | null)[], vexModrmNeed: Uint8Array,
  vexCands: (readonly DecoderForm[] | null)[], fwait: (readonly DecoderForm[] | null)[], t0: number,
  loadedFrom: 'parsed' | 'snapshot',
): IsaTables {
  return Object.freeze({
    forms: Object.freeze(forms), modrmNeed, cands: Object.freeze(cands), vexModrmNeed, vexCands: Object.freeze(vexCands),
    fwait: Object.freeze(fwait), buildMs: performance.now() - t0, loadedFrom,
  });
}

/** Most specific row first in every slot; equal specificity keeps file order (Array sort is stable). */
function orderSlots(slots: (DecoderForm[] | null)[]): (readonly DecoderForm[] | null)[] {
  for (let i = 0; i < slots.length; i++) {
    const list = slots[i];
    if (list != null && list.length > 1) Object.freeze(list.sort((a, b) => specificity(b) - specificity(a)));
  }
  return slots;
}

/** Cross-row checks: one ModRM decision per legacy opcode, no two rows with the same encoding and constraints. */
function checkRows(forms: readonly DecoderForm[]): void {
  const needOwner: (DecoderForm | undefined)[] = new Array(4 * 256);
  const seen = new Map<number, DecoderForm>();
  for (const f of forms) {
    if (!f.vex && f.pfx !== PFX_9B) {
      const ni = f.map * 256 + f.opcode;
      const o = needOwner[ni];
      if (o !== undefined && o.hasModrm !== f.hasModrm) {
        throw new IsaSyntaxError(f.file, f.line, `opcode ${MAP_NAMES[f.map]} 0x${f.opcode.toString(16)} has ModRM in one row and not in another (${o.file}:${o.line})`);
      }
      needOwner[ni] ??= f;
    }
    // Everything that tells two rows apart, packed into one number (< 2^40).
    let key = f.map * 256 + f.opcode;
    key = key * 8 + f.pfx;
    key = key * 16 + (f.reg + 1);
    key = key * 16 + (f.rm + 1);
    key = key * 4 + f.mod;
    key = key * 8 + f.osz;
    key = key * 8 + f.asz;
    key = key * 4 + (f.vex ? 1 + f.vexL + 1 : 0);
    key = key * 4 + (f.vexW + 1);
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new IsaSyntaxError(f.file, f.line, `duplicate encoding: same opcode and constraints as ${prev.file}:${prev.line} (${prev.mnemonic})`);
    }
    seen.set(key, f);
  }
}

/** The isa/ directory: found by walking up from this module (src/ or dist/src/). */
export function findIsaDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 6; k++) {
    const cand = join(dir, 'isa');
    if (existsSync(join(cand, 'onebyte.isa'))) return cand;
    dir = dirname(dir);
  }
  throw new Error('isa/ directory not found above ' + fileURLToPath(import.meta.url));
}

/** Read every *.isa file of a directory in name order; file names are reported relative to the repo. */
export function readIsaDir(dir: string): IsaSource[] {
  const names = readdirSync(dir).filter((n) => n.endsWith('.isa')).sort();
  const base = dirname(dir);
  return names.map((n) => ({ file: relative(base, join(dir, n)), text: readFileSync(join(dir, n), 'utf8') }));
}

let cached: IsaTables | null = null;

/**
 * The process-wide tables, built on first use: from the build's snapshot
 * when it matches isa/ exactly, else by parsing isa/.
 */
export function getTables(): IsaTables {
  if (cached === null) {
    const t0 = performance.now();
    const sources = readIsaDir(findIsaDir());
    const snap = readSnapshot(snapshotPath());
    const code = snap === null ? null : readCodeFiles();
    const built = (snap !== null && code !== null ? tablesFromSnapshot(snap, sources, code, t0) : null) ?? buildTables(sources);
    cached = Object.freeze({ ...built, buildMs: performance.now() - t0 });
  }
  return cached;
}
