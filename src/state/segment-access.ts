/**
 * Segment access classes: what translated code must check on a memory
 * access through each segment register, derived from the descriptor caches
 * (CpuState segBase/segLimit/segAttr) whenever the mode word is (mode.ts).
 *
 * The class of each of ES CS SS DS FS GS is two bits of the mode word, so a
 * translation is specialised to them and the lifter (src/lift/context.ts
 * `linear`) emits only what the class needs:
 *
 *   SEG_OPEN             4 GiB expand-up, readable and writable: nothing at
 *                        all (every segment of a flat guest but CS).
 *   SEG_OPEN_READ_ONLY   4 GiB expand-up, readable: a write is #GP(0) (a flat
 *                        code segment, a 4 GiB read-only data segment).
 *   SEG_WINDOW           every access is compared with the segment's window.
 *   SEG_WINDOW_READ_ONLY the same for reads; a write is #GP(0).
 *
 * The window (CpuState segFirst/segSpan, read by the generated check) covers
 * the offsets the SDM allows (vol. 3 §5.3): 0..limit for expand-up segments,
 * limit+1..0xFFFF or 0xFFFFFFFF (by the B bit) for expand-down ones, and
 * nothing for a segment no data access may use (null selector in DS ES FS
 * GS, execute-only code, not present). For CS, first + span is always
 * limit + 1 (an execute-only CS has first = limit + 1, span 0): what code
 * fetch is compared with when the limit is not in the mode word
 * (code-limit.ts, the dynamic field). Rights (§5.5–5.6) become the
 * read-only bit: read-only data and code segments are never writable in
 * protected mode; in real mode every segment is writable and only the limit
 * counts.
 *
 * Both are derived together here, at the moment the dispatcher computes the
 * mode word, so a region always runs with windows that belong to the mode
 * it was compiled for: segment state changes only in the VMM, which leaves
 * to the dispatcher whenever a class or window may have changed.
 */
import { SEG_CS, SEG_SS, type CpuState } from './state.js';

export const SEG_OPEN = 0;
export const SEG_OPEN_READ_ONLY = 1;
export const SEG_WINDOW = 2;
export const SEG_WINDOW_READ_ONLY = 3;
/** Class bit: writes are #GP(0). */
export const SEG_READ_ONLY_BIT = 1;
/** Class bit: accesses are compared with the window. */
export const SEG_WINDOW_BIT = 2;

// Access rights as CpuState.segAttr keeps them (descriptor bits 8–23, like LAR).
const ATTR_RW = 1 << 9; // data: writable; code: readable
const ATTR_E = 1 << 10; // data: expand-down
const ATTR_CODE = 1 << 11;
const ATTR_S = 1 << 12;
const ATTR_P = 1 << 15;
const ATTR_DB = 1 << 22;
/** The attribute bits the classes depend on (type without accessed, S, P, D/B; G is already in the limit). */
export const SEG_CHECK_ATTR_MASK = ATTR_RW | ATTR_E | ATTR_CODE | ATTR_S | ATTR_P | ATTR_DB;
const TYPE_MASK = ATTR_P | ATTR_S | ATTR_CODE | ATTR_E | ATTR_RW;
/** Present writable expand-up data, and present readable code (the E bit is then C, which changes nothing here). */
const OPEN_DATA = ATTR_P | ATTR_S | ATTR_RW, OPEN_CODE = ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW;
/** A flat guest's field: every data segment open, CS open for reads. */
const FLAT_FIELD = SEG_OPEN_READ_ONLY << (2 * SEG_CS);

/**
 * The twelve class bits (segment register r at bits 2r, 2r+1) for the
 * CPU's current descriptor caches; fills segFirst/segSpan of the windowed
 * ones. A CS cache with no attributes at all means a loader (or a test)
 * never filled the caches: then nothing is checked, as before segment
 * checks existed.
 */
export function segmentAccessField(cpu: CpuState): number {
  const a = cpu.segAttr, l = cpu.segLimit;
  if (a[SEG_CS] === 0) return 0;
  const real = (cpu.cr0 & 1) === 0;
  // The dispatcher asks at every exit through the VMM; a flat guest answers here without a loop.
  if (!real && (l[0]! & l[1]! & l[2]! & l[3]! & l[4]! & l[5]!) === -1 &&
    (((a[0]! & TYPE_MASK) ^ OPEN_DATA) | ((a[1]! & TYPE_MASK) ^ OPEN_CODE) | ((a[2]! & TYPE_MASK) ^ OPEN_DATA) |
      ((a[3]! & TYPE_MASK) ^ OPEN_DATA) | ((a[4]! & TYPE_MASK) ^ OPEN_DATA) | ((a[5]! & TYPE_MASK) ^ OPEN_DATA)) === 0) {
    return FLAT_FIELD;
  }
  let field = 0;
  for (let seg = 0; seg < 6; seg++) field |= segmentClass(cpu, seg, real) << (2 * seg);
  return field;
}


/** The class of one segment register; stores its window in cpu.segFirst/segSpan when it has one. */
function segmentClass(cpu: CpuState, seg: number, real: boolean): number {
  const cls = classify(cpu, seg, real);
  if ((cls & SEG_WINDOW_BIT) !== 0) {
    cpu.segFirst[seg] = WINDOW[0]!;
    cpu.segSpan[seg] = WINDOW[1]!;
  }
  return cls;
}

/** [first, span] of the last windowed class classify() found. */
const WINDOW = new Int32Array(2);

/** The class of one segment register, without touching the CPU (the window goes to WINDOW). */
function classify(cpu: CpuState, seg: number, real: boolean): number {
  const limit = cpu.segLimit[seg]!;
  const attr = cpu.segAttr[seg]!;
  let readOnly = 0;
  let expandDown = false;
  if (!real) {
    // Null selectors leave attr 0 (not present); system descriptors never reach a data register.
    if ((attr & ATTR_P) === 0 || (attr & ATTR_S) === 0) return window(0, 0, SEG_WINDOW_READ_ONLY);
    if ((attr & ATTR_CODE) !== 0) {
      // Execute-only: no data access fits (span 0). In CS, first + span is still limit + 1,
      // the fetch limit translated code compares instructions and branch targets with.
      if ((attr & ATTR_RW) === 0) return window(seg === SEG_CS ? limit + 1 : 0, 0, SEG_WINDOW_READ_ONLY);
      readOnly = SEG_READ_ONLY_BIT;
    } else {
      if ((attr & ATTR_RW) === 0) readOnly = SEG_READ_ONLY_BIT;
      expandDown = (attr & ATTR_E) !== 0;
    }
  }
  if (!expandDown) {
    if (limit === 0xffffffff) return readOnly;
    return window(0, limit + 1, SEG_WINDOW | readOnly);
  }
  const top = (attr & ATTR_DB) !== 0 ? 0xffffffff : 0xffff;
  if (limit >= top) return window(0, 0, SEG_WINDOW | readOnly);
  return window(limit + 1, top - limit, SEG_WINDOW | readOnly);
}

function window(first: number, span: number, cls: number): number {
  WINDOW[0] = first | 0;
  WINDOW[1] = span | 0;
  return cls;
}

const VECTOR_GP = 13, VECTOR_SS = 12;

/**
 * The check translated code makes on a data access, for the accesses the
 * VMM makes on the guest's behalf (ins, outs): -1 when a `size`-byte access
 * at `offset` through segment register `seg` is allowed, else the vector of
 * the fault it raises with error code 0 (#SS through SS, #GP otherwise).
 * Unfilled caches (CS attributes 0) check nothing, as segmentAccessField.
 */
export function dataAccessFault(cpu: CpuState, seg: number, offset: number, size: number, write: boolean): number {
  if (cpu.segAttr[SEG_CS] === 0) return -1;
  const cls = classify(cpu, seg, (cpu.cr0 & 1) === 0);
  const vector = seg === SEG_SS ? VECTOR_SS : VECTOR_GP;
  if (write && (cls & SEG_READ_ONLY_BIT) !== 0) return vector;
  if ((cls & SEG_WINDOW_BIT) === 0) return -1;
  return ((offset - WINDOW[0]!) >>> 0) + size <= WINDOW[1]! >>> 0 ? -1 : vector;
}

const CLASS_NAMES = ['', 'ro', 'win', 'win-ro'] as const;
const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

/** The non-open classes of a class field, e.g. `cs:ro,ds:win` (empty when all are open); registers in the `anyClass` bit set show as `gs:any`. */
export function describeSegmentAccess(field: number, anyClass = 0): string {
  const parts: string[] = [];
  for (let seg = 0; seg < 6; seg++) {
    const cls = (field >>> (2 * seg)) & 3;
    if ((anyClass & (1 << seg)) !== 0) parts.push(`${SEG_NAMES[seg]}:any`);
    else if (cls !== SEG_OPEN) parts.push(`${SEG_NAMES[seg]}:${CLASS_NAMES[cls]}`);
  }
  return parts.join(',');
}
