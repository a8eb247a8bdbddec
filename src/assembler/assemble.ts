/**
 * assemble(): source text → flat binary, the way `nasm -f bin` lays it out.
 *
 * Pipeline: syntax.ts parses every line once into a Statement; then passes
 * run over the statements until every label keeps its value from one pass
 * to the next, and a last pass emits bytes. Forward references read the
 * previous pass's values (unknown in the first pass: immediates and
 * displacements assume the long form, jumps the short one, as nasm's
 * optimiser does); a jump that once needed its near form keeps it, so the
 * passes cannot oscillate.
 *
 * Sections are flat: .text first at the origin, then the other sections
 * with contents in order of first appearance, each aligned to 4, then the
 * nobits .bss (addresses only, no bytes) — nasm's bin layout.
 */
import { AssemblyError, StatementError } from './errors.js';
import { encodeInstruction } from './encoder.js';
import { evalExpr, type Expr, type SymbolLookup, type Value } from './expr.js';
import { isMnemonic, PREFIX_WORDS } from './mnemonics.js';
import { parseSource, type Body, type Statement } from './syntax.js';

export interface AssembleOptions {
  /** Address of the first byte (nasm `org`); default 0. An `org` line overrides it. */
  readonly origin?: number;
  /** Initial BITS; default 16, as nasm's bin format. */
  readonly bits?: 16 | 32;
  /** File name for error messages; default `<source>`. */
  readonly file?: string;
}

export interface ListingLine {
  readonly line: number;
  readonly address: number;
  readonly bytes: Uint8Array;
}

export interface AssembleResult {
  readonly bytes: Uint8Array;
  /** Every label and equ constant, qualified local labels included (`main.loop`). */
  readonly labels: Map<string, number>;
  /** Bytes each source line produced, in source order (lines producing none are left out). */
  readonly listing: ListingLine[];
}

const MAX_PASSES = 64;
/** From this pass on a jump that needed its near form keeps it, so the passes must settle. */
const STICKY_FROM_PASS = 6;
const SECTION_ALIGN = 4;

interface Section {
  readonly name: string;
  readonly nobits: boolean;
  readonly order: number;
  size: number;
  readonly out: number[];
}

interface PassResult {
  readonly values: Map<string, Value>;
  /** Section of each address label (equ constants have none). */
  readonly labelSection: Map<string, string>;
  /** Start address of each statement. */
  readonly addrs: number[];
  readonly starts: Map<string, number>;
  readonly sections: Section[];
  readonly listing: ListingLine[];
}

const WORDS = { isMnemonic, isPrefix: (w: string) => PREFIX_WORDS.has(w) };

export function assemble(source: string, options: AssembleOptions = {}): AssembleResult {
  const file = options.file ?? '<source>';
  const stmts = parseSource(file, source, WORDS);
  const grown = new Uint8Array(stmts.length);
  let prev: PassResult | null = null;
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const sticky = pass >= STICKY_FROM_PASS;
    const r = runPass(file, stmts, options, prev, grown, sticky, false);
    if (prev !== null && sameValues(prev, r)) {
      const fin = runPass(file, stmts, options, r, grown, sticky, true);
      return { bytes: image(fin.sections, fin.starts), labels: numericLabels(fin.values), listing: fin.listing };
    }
    prev = r;
  }
  throw new AssemblyError(file, 1, 1, `label values did not settle after ${MAX_PASSES} passes`);
}

function sameValues(a: PassResult, b: PassResult): boolean {
  if (a.values.size !== b.values.size) return false;
  for (const [k, v] of b.values) {
    const o = a.values.get(k);
    if (o === undefined || o.v !== v.v || o.known !== v.known) return false;
  }
  for (const [k, v] of b.starts) if (a.starts.get(k) !== v) return false;
  return true;
}

function numericLabels(values: Map<string, Value>): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of values) m.set(k, Number(BigInt.asUintN(32, v.v)));
  return m;
}

function layout(sections: Section[], origin: number): Map<string, number> {
  const ordered = [...sections].sort((a, b) => rank(a) - rank(b) || a.order - b.order);
  const starts = new Map<string, number>();
  let at = origin;
  for (const [i, s] of ordered.entries()) {
    if (i > 0) at = Math.ceil(at / SECTION_ALIGN) * SECTION_ALIGN;
    starts.set(s.name, at);
    at += s.size;
  }
  return starts;
}

function rank(s: Section): number {
  return s.name === '.text' ? 0 : s.nobits ? 2 : 1;
}

function image(sections: Section[], starts: Map<string, number>): Uint8Array {
  const withBytes = sections.filter((s) => !s.nobits && s.size > 0);
  if (withBytes.length === 0) return new Uint8Array(0);
  const base = Math.min(...sections.map((s) => starts.get(s.name)!));
  const end = Math.max(...withBytes.map((s) => starts.get(s.name)! + s.size));
  const out = new Uint8Array(end - base);
  for (const s of withBytes) out.set(s.out, starts.get(s.name)! - base);
  return out;
}

function runPass(
  file: string, stmts: Statement[], options: AssembleOptions, prev: PassResult | null, grown: Uint8Array, sticky: boolean,
  final: boolean,
): PassResult {
  const values = new Map<string, Value>();
  const labelSection = new Map<string, string>();
  const addrs: number[] = new Array<number>(stmts.length).fill(0);
  let stmtIndex = 0;
  const sections: Section[] = [];
  const listing: ListingLine[] = [];
  let origin = options.origin ?? 0;
  let bits: 2 | 4 = options.bits === 32 ? 4 : 2;
  const sectionNamed = (name: string): Section => {
    let s = sections.find((x) => x.name === name);
    if (s === undefined) {
      s = { name, nobits: name === '.bss', order: sections.length, size: 0, out: [] };
      sections.push(s);
    }
    return s;
  };
  let sec = sectionNamed('.text');
  const startOf = (s: Section): number => prev?.starts.get(s.name) ?? origin;
  // A forward reference reads last pass's value, moved by however much this statement itself has moved
  // since then: when only code before here changed size, the estimate is exact.
  const forward = (name: string): Value | undefined => {
    const v = prev?.values.get(name);
    if (v === undefined || prev === null || prev.labelSection.get(name) !== sec.name) return v;
    return { v: v.v + BigInt(addrs[stmtIndex]! - prev.addrs[stmtIndex]!), rel: v.rel, known: v.known };
  };
  const env = (here: number): SymbolLookup => ({
    symbol: (name) => values.get(name) ?? forward(name),
    here,
    sectionStart: startOf(sec),
    final,
  });
  for (let i = 0; i < stmts.length; i++) {
    const st = stmts[i]!;
    stmtIndex = i;
    addrs[i] = startOf(sec) + sec.size;
    try {
      if (st.label !== null) {
        if (values.has(st.label.name)) throw new StatementError(`label '${st.label.name}' redefined`, st.label.col);
        const value: Value = st.body.k === 'equ'
          ? evalExpr(st.body.expr, env(startOf(sec) + sec.size))
          : { v: BigInt(startOf(sec) + sec.size), rel: 1, known: true };
        values.set(st.label.name, value);
        if (st.body.k !== 'equ') labelSection.set(st.label.name, sec.name);
      }
      const before = sec.size;
      const emitted: number[] = [];
      const run = (body: Body): void => {
        switch (body.k) {
          case 'none': case 'equ': return;
          case 'bits': bits = body.bits === 16 ? 2 : 4; return;
          case 'section': sec = sectionNamed(body.name); return;
          case 'org': {
            const v = evalExpr(body.expr, env(startOf(sec) + sec.size));
            if (!v.known) throw new StatementError('org needs a value known at this point');
            origin = Number(BigInt.asUintN(32, v.v));
            return;
          }
          case 'insn': {
            const ctx = { bits, address: startOf(sec) + sec.size, env: env(startOf(sec) + sec.size), final, jumpGrown: sticky && grown[i] === 1 };
            put(encodeInstruction(body.insn, ctx));
            if (ctx.jumpGrown) grown[i] = 1;
            return;
          }
          case 'data': {
            // `$` in a data line is the line's own address, not the item's (nasm: dd $, $ repeats one value).
            const lineEnv = env(startOf(sec) + sec.size);
            for (const item of body.items) {
              if (item.k === 'string') {
                const padded = Math.ceil(item.bytes.length / body.unit) * body.unit;
                const b = [...item.bytes];
                while (b.length < padded) b.push(0);
                put(b);
              } else {
                const v = evalExpr(item.expr, lineEnv).v;
                const b: number[] = [];
                for (let k = 0; k < body.unit; k++) b.push(Number((BigInt.asUintN(64, v) >> BigInt(8 * k)) & 0xffn));
                put(b);
              }
            }
            return;
          }
          case 'reserve': {
            const n = count(body.count, 'resb count');
            put(new Array<number>(n * body.unit).fill(0));
            return;
          }
          case 'align': {
            const a = count(body.expr, 'alignment');
            if (a === 0 || (a & (a - 1)) !== 0) throw new StatementError('alignment must be a power of two');
            const pad = (a - (sec.size % a)) % a;
            const fill = body.fill === null ? (body.reserve ? 0 : 0x90) : Number(BigInt.asUintN(8, evalExpr(body.fill, env(startOf(sec) + sec.size)).v));
            put(new Array<number>(pad).fill(fill));
            return;
          }
          case 'times': {
            const n = count(body.count, 'times count');
            for (let k = 0; k < n; k++) run(body.body);
          }
        }
      };
      const count = (e: Expr, what: string): number => {
        const v = evalExpr(e, env(startOf(sec) + sec.size));
        if (!v.known) return 0;
        if (v.v < 0n) throw new StatementError(`${what} is negative (${v.v})`);
        if (v.v > 0x1000000n) throw new StatementError(`${what} is too large (${v.v})`);
        return Number(v.v);
      };
      const put = (b: readonly number[]): void => {
        sec.size += b.length;
        if (final) {
          if (sec.nobits && b.some((x) => x !== 0)) throw new StatementError(`section ${sec.name} holds no data (nobits)`);
          if (!sec.nobits) for (const x of b) sec.out.push(x);
          for (const x of b) emitted.push(x);
        }
      };
      run(st.body);
      if (final && emitted.length > 0) listing.push({ line: st.line, address: startOf(sec) + before, bytes: new Uint8Array(emitted) });
    } catch (e) {
      if (e instanceof AssemblyError) throw e;
      if (e instanceof StatementError) throw new AssemblyError(file, st.line, e.column || st.col, e.message);
      throw new AssemblyError(file, st.line, st.col, `internal assembler error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { values, labelSection, addrs, starts: layout(sections, origin), sections, listing };
}
