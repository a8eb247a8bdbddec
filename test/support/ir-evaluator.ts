/*
 * The one evaluator of the IR, for tests only (the product never interprets:
 * it compiles). Two kinds of test run blocks with it:
 *  - the passes (test/passes, test/expect) run a block before and after
 *    optimisation from random machine states and compare everything a guest
 *    or the VMM could observe (`observe`), on pattern memory;
 *  - the lifter's differential test (test/lift/native-oracle.ts) runs lifted
 *    snippets on the memory image the native harness uses (region memory)
 *    and compares the result with the host CPU.
 *
 * It is written independently of src/passes and src/codegen: flags are
 * computed from the definitions in ir/ops.ts by direct arithmetic and
 * bit-by-bit shifting, not with flags-eval.ts, and ops with BigInt where that
 * is the plain reading.
 *
 * The machine it models: 8 GPRs, eflags.sys, segment bases and selectors, a
 * flags thunk and byte memory (an EvalMemory: which bytes exist or fault is
 * the memory's business). `emulate` is, unless refused, a deterministic
 * stand-in VMM: it reads all state (including the flags), changes some of
 * it, may fault, and is logged.
 */
import type { Block, FlagCond, FlagKind, GuestSlot, MemSize, Op, Value } from '../../src/ir/types.js';
import { xorshift32 } from './xorshift32.js';

export interface Thunk { kind: FlagKind; size: MemSize; res: number; a: number; b: number; aux: number; }

/** Guest memory as the evaluator sees it. */
export interface EvalMemory {
  /** The byte at an unsigned address, or -1 where an access faults with #PF. */
  read(addr: number): number;
  write(addr: number, byte: number): void;
}

/**
 * Memory for random-state tests: every byte exists; an unwritten byte holds
 * a fixed pattern of its address. With `faultsAtTop`, the top 256 MiB
 * (0xf0000000 up) faults, so blocks can be checked on the fault path too.
 */
export class PatternMemory implements EvalMemory {
  /** The bytes written so far, by address: what a run changed. */
  readonly written = new Map<number, number>();
  constructor(readonly faultsAtTop: boolean) {}
  read(addr: number): number {
    if (this.faultsAtTop && addr >= 0xf0000000) return -1;
    return this.written.get(addr) ?? ((Math.imul(addr, 0x9e3779b1) >>> 24) & 0xff);
  }
  write(addr: number, byte: number): void { this.written.set(addr, byte); }
}

export interface Region {
  readonly base: number;
  readonly bytes: Uint8Array;
}

/** Memory of a few disjoint regions (the native harness's map); any other byte faults. */
export class RegionMemory implements EvalMemory {
  constructor(readonly regions: readonly Region[]) {}
  read(addr: number): number {
    const r = this.regionOf(addr);
    return r === undefined ? -1 : r.bytes[addr - r.base]!;
  }
  write(addr: number, byte: number): void {
    const r = this.regionOf(addr)!; // evaluate reads every byte of a store before it writes one
    r.bytes[addr - r.base] = byte;
  }
  private regionOf(addr: number): Region | undefined {
    return this.regions.find((r) => addr >= r.base && addr < r.base + r.bytes.length);
  }
}

export interface MachineState<M extends EvalMemory = EvalMemory> {
  gpr: number[];
  segBase: number[];
  segSel: number[];
  /** Limit-checked segments' windows (GuestSlot segFirst/segSpan); read-only to blocks. */
  segFirst: number[];
  segSpan: number[];
  eflagsSys: number;
  thunk: Thunk;
  memory: M;
  vmmLog: string[];
}

export type Outcome =
  | { kind: 'exit'; target: number }
  | { kind: 'fault'; vector: number; at: number }
  | { kind: 'vmmFault'; routine: string; at: number };

/** A random machine state from a seed, on pattern memory. */
export function initialState(seed: number, memory: { faults: boolean }): MachineState<PatternMemory> {
  const next = xorshift32(seed | 1);
  const rnd = (): number => next() | 0;
  return {
    gpr: Array.from({ length: 8 }, rnd),
    segBase: Array.from({ length: 6 }, rnd),
    segSel: Array.from({ length: 6 }, () => rnd() & 0xffff),
    eflagsSys: (rnd() & 0x3f702a) | 2,
    thunk: { kind: 'explicit', size: 4, res: rnd() & 0x8d5, a: 0, b: 0, aux: 0 },
    // Drawn last so the fields above keep the values they had before these slots existed.
    segFirst: Array.from({ length: 6 }, rnd),
    segSpan: Array.from({ length: 6 }, rnd),
    memory: new PatternMemory(memory.faults),
    vmmLog: [],
  };
}

/** A state with every register, base, selector and flag zero (flat segments), on the given memory. */
export function zeroState<M extends EvalMemory>(memory: M): MachineState<M> {
  return {
    gpr: new Array<number>(8).fill(0),
    segBase: new Array<number>(6).fill(0),
    segSel: new Array<number>(6).fill(0),
    segFirst: new Array<number>(6).fill(0),
    segSpan: new Array<number>(6).fill(0),
    eflagsSys: 2,
    thunk: { kind: 'explicit', size: 4, res: 0, a: 0, b: 0, aux: 0 },
    memory,
    vmmLog: [],
  };
}

class GuestFault { constructor(readonly vector: number) {} }

const big = (v: number): bigint => BigInt(v >>> 0);

/** OSZAPC of a thunk, straight from the ops.ts definitions. */
export function thunkFlags(t: Thunk): number {
  const n = t.size * 8;
  const mod = 2 ** n;
  const u = (v: number): number => (v >>> 0) % mod; // truncate to n bits, unsigned
  const s = (v: number): number => { const w = u(v); return w >= mod / 2 ? w - mod : w; };
  const r = u(t.res), a = u(t.a), b = u(t.b);
  let zf = r === 0, sf = r >= mod / 2, pf = popcount(r & 0xff) % 2 === 0;
  let cf = false, of = false, af = false;
  switch (t.kind) {
    case 'explicit':
      return t.res & 0x8d5;
    case 'add': case 'adc': {
      const c = t.kind === 'adc' ? t.aux & 1 : 0;
      cf = a + b + c >= mod;
      const sum = s(t.a) + s(t.b) + c;
      of = sum >= mod / 2 || sum < -mod / 2;
      af = (a & 0xf) + (b & 0xf) + c > 0xf;
      break;
    }
    case 'sub': case 'sbb': {
      const c = t.kind === 'sbb' ? t.aux & 1 : 0;
      cf = a < b + c;
      const diff = s(t.a) - s(t.b) - c;
      of = diff >= mod / 2 || diff < -mod / 2;
      af = (a & 0xf) < (b & 0xf) + c;
      break;
    }
    case 'logic':
      break;
    case 'inc': case 'dec': {
      cf = (t.aux & 1) === 1;
      const v = s(t.a) + (t.kind === 'inc' ? 1 : -1);
      of = v >= mod / 2 || v < -mod / 2;
      af = t.kind === 'inc' ? (a & 0xf) === 0xf : (a & 0xf) === 0;
      break;
    }
    case 'shl': case 'shr': case 'sar': {
      let v = a;
      const count = b & 31;
      for (let i = 0; i < count; i++) {
        if (t.kind === 'shl') { cf = v >= mod / 2; v = (v * 2) % mod; }
        else { cf = (v & 1) === 1; v = t.kind === 'sar' && v >= mod / 2 ? Math.floor(v / 2) + mod / 2 : Math.floor(v / 2); }
      }
      of = t.kind === 'shl' ? sf !== cf : t.kind === 'shr' ? a >= mod / 2 : false;
      break;
    }
    case 'rol': case 'ror': {
      zf = (t.aux & 0x40) !== 0; sf = (t.aux & 0x80) !== 0; pf = (t.aux & 4) !== 0; af = (t.aux & 0x10) !== 0;
      const top = r >= mod / 2, next = (r & (mod / 4)) !== 0;
      cf = t.kind === 'rol' ? (r & 1) === 1 : top;
      of = t.kind === 'rol' ? top !== cf : top !== next;
      break;
    }
    case 'mul':
      cf = of = (t.aux & 1) === 1;
      break;
  }
  return (cf ? 1 : 0) | (pf ? 4 : 0) | (af ? 0x10 : 0) | (zf ? 0x40 : 0) | (sf ? 0x80 : 0) | (of ? 0x800 : 0);
}

function popcount(v: number): number {
  let c = 0;
  for (let i = 0; i < 32; i++) c += (v >>> i) & 1;
  return c;
}

export function condition(cond: FlagCond, f: number): number {
  const cf = !!(f & 1), pf = !!(f & 4), af = !!(f & 0x10), zf = !!(f & 0x40), sf = !!(f & 0x80), of = !!(f & 0x800);
  const table: Record<FlagCond, boolean> = {
    cf, pf, af, zf, sf, of,
    o: of, no: !of, b: cf, ae: !cf, e: zf, ne: !zf, be: cf || zf, a: !cf && !zf,
    s: sf, ns: !sf, p: pf, np: !pf, l: sf !== of, ge: sf === of, le: zf || sf !== of, g: !zf && sf === of,
  };
  return table[cond] ? 1 : 0;
}

function binary(name: string, a: number, b: number): number {
  const ua = big(a), ub = big(b), n = BigInt(b & 31);
  switch (name) {
    case 'add': return Number(BigInt.asIntN(32, ua + ub));
    case 'sub': return Number(BigInt.asIntN(32, ua - ub));
    case 'mul': return Number(BigInt.asIntN(32, ua * ub));
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return Number(BigInt.asIntN(32, ua << n));
    case 'shr': return Number(BigInt.asIntN(32, ua >> n));
    case 'sar': return Number(BigInt.asIntN(32, BigInt(a | 0) >> n));
    case 'rol': return Number(BigInt.asIntN(32, (ua << n) | (ua >> ((32n - n) % 32n))));
    case 'ror': return Number(BigInt.asIntN(32, (ua >> n) | (ua << ((32n - n) % 32n))));
    case 'umulhi': return Number(BigInt.asIntN(32, (ua * ub) >> 32n));
    case 'smulhi': return Number(BigInt.asIntN(32, (BigInt(a | 0) * BigInt(b | 0)) >> 32n));
    case 'eq': return a === b ? 1 : 0;
    case 'ne': return a !== b ? 1 : 0;
    case 'ltu': return ua < ub ? 1 : 0;
    case 'leu': return ua <= ub ? 1 : 0;
    case 'lts': return (a | 0) < (b | 0) ? 1 : 0;
    case 'les': return (a | 0) <= (b | 0) ? 1 : 0;
  }
  throw new Error(`no binary op ${name}`);
}

function unary(name: string, a: number): number {
  switch (name) {
    case 'not': return a ^ -1;
    case 'neg': return Number(BigInt.asIntN(32, -big(a)));
    case 'sext8': return Number(BigInt.asIntN(8, big(a)));
    case 'sext16': return Number(BigInt.asIntN(16, big(a)));
    case 'zext8': return a & 0xff;
    case 'zext16': return a & 0xffff;
    case 'bswap': { let r = 0; for (let i = 0; i < 4; i++) r = r * 256 + ((a >>> (8 * i)) & 0xff); return r | 0; }
    case 'parity': return popcount(a & 0xff) % 2 === 0 ? 1 : 0;
  }
  throw new Error(`no unary op ${name}`);
}

function helper(name: string, args: number[]): [number, number] {
  const [hi = 0, lo = 0, d = 1] = args;
  const signed = name.startsWith('div64s');
  const dividend = signed ? BigInt.asIntN(64, (big(hi) << 32n) | big(lo)) : (big(hi) << 32n) | big(lo);
  const divisor = signed ? BigInt(d | 0) : big(d);
  if (divisor === 0n) return [0, 0];
  const q = dividend / divisor, r = dividend % divisor;
  const fits = signed ? BigInt.asIntN(32, q) === q : BigInt.asUintN(32, q) === q;
  if (name.endsWith('Overflow')) return [fits ? 0 : 1, 0];
  return [Number(BigInt.asIntN(32, q)), Number(BigInt.asIntN(32, r))];
}

export interface EvalOptions {
  /**
   * What `emulate` does: run the stand-in VMM (the passes' tests), or throw
   * (the lifter's differential test, whose snippets must lift to plain IR).
   */
  emulate: 'stand-in' | 'refuse';
}

/** Runs block on state (mutating it) and says how control left. */
export function evaluate(block: Block, state: MachineState, options: EvalOptions = { emulate: 'stand-in' }): Outcome {
  const temps = new Map<number, number>();
  const val = (v: Value): number => {
    if (v.kind === 'const') return v.value;
    const x = temps.get(v.id);
    if (x === undefined) throw new Error(`t${v.id} read before it was set`);
    return x;
  };
  let at = block.address;
  const memByte = (addr: number): number => {
    const byte = state.memory.read(addr >>> 0);
    if (byte < 0) throw new GuestFault(14);
    return byte;
  };
  const load = (size: MemSize, addr: number): number => {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + memByte(addr + i);
    return v | 0;
  };
  const store = (size: MemSize, addr: number, value: number): void => {
    for (let i = 0; i < size; i++) memByte(addr + i); // fault before writing any byte
    for (let i = 0; i < size; i++) state.memory.write((addr + i) >>> 0, (value >>> (8 * i)) & 0xff);
  };
  try {
    for (const op of block.ops) {
      const r = step(op);
      if (r !== null) return r;
    }
  } catch (e) {
    if (e instanceof GuestFault) return { kind: 'fault', vector: e.vector, at };
    if (e instanceof VmmFault) return { kind: 'vmmFault', routine: e.routine, at };
    throw e;
  }
  const exit = block.exit;
  switch (exit.kind) {
    case 'jump': return { kind: 'exit', target: exit.target >>> 0 };
    case 'dispatch': return { kind: 'exit', target: exit.next >>> 0 };
    case 'branch': return { kind: 'exit', target: (val(exit.cond) !== 0 ? exit.taken : exit.fallthrough) >>> 0 };
    case 'indirect': return { kind: 'exit', target: val(exit.target) >>> 0 };
  }

  function step(op: Op): Outcome | null {
    switch (op.op) {
      case 'insn': at = op.address; return null;
      case 'get': temps.set(op.dst.id, readSlot(state, op.slot)); return null;
      case 'put': writeSlot(state, op.slot, val(op.src)); return null;
      case 'mov': temps.set(op.dst.id, val(op.src)); return null;
      case 'unary': temps.set(op.dst.id, unary(op.name, val(op.a))); return null;
      case 'binary': temps.set(op.dst.id, binary(op.name, val(op.a), val(op.b))); return null;
      case 'select': temps.set(op.dst.id, val(op.cond) !== 0 ? val(op.a) : val(op.b)); return null;
      case 'load': temps.set(op.dst.id, load(op.size, val(op.addr))); return null;
      case 'store': store(op.size, val(op.addr), val(op.src)); return null;
      case 'flags.set':
        if (op.guard === null || val(op.guard) !== 0) {
          state.thunk = { kind: op.kind, size: op.size, res: val(op.res), a: val(op.a), b: val(op.b), aux: val(op.aux) };
        }
        return null;
      case 'flags.get': temps.set(op.dst.id, condition(op.cond, thunkFlags(state.thunk))); return null;
      case 'flags.all': temps.set(op.dst.id, thunkFlags(state.thunk)); return null;
      case 'helper': {
        const [x, y] = helper(op.name, op.args.map(val));
        if (op.dst) temps.set(op.dst.id, x);
        if (op.dst2) temps.set(op.dst2.id, y);
        return null;
      }
      case 'emulate': {
        if (options.emulate === 'refuse') throw new Error(`emulate ${op.routine} at 0x${at.toString(16)}, refused by this test`);
        const result = fakeVmm(state, op.routine, op.args.map(val), at);
        if (op.dst) temps.set(op.dst.id, result);
        return null;
      }
      case 'raise':
        if (op.cond === null || val(op.cond) !== 0) throw new GuestFault(op.vector);
        return null;
      case 'exitIf':
        return val(op.cond) !== 0 ? { kind: 'exit', target: op.target >>> 0 } : null;
    }
  }
}

class VmmFault { constructor(readonly routine: string) {} }

/** A stand-in VMM: depends on all guest state including the flags, and changes some of it. */
function fakeVmm(state: MachineState, routine: string, args: number[], at: number): number {
  const flags = thunkFlags(state.thunk);
  let h = 0x811c9dc5;
  for (const v of [...state.gpr, ...state.segBase, state.eflagsSys, flags, ...args]) h = Math.imul(h ^ v, 0x01000193);
  state.vmmLog.push(`${routine}@${at.toString(16)}(${args.join(',')}) h=${(h >>> 0).toString(16)}`);
  if ((args[0] ?? 0) % 7 === 3) throw new VmmFault(routine);
  // Like a real routine it may change any register (cpuid, popf, a far jump…).
  for (let i = 0; i < 8; i++) state.gpr[i] = Math.imul(h, 2 * i + 1);
  for (let i = 0; i < 6; i++) state.segBase[i] = Math.imul(h, 2 * i + 17);
  state.eflagsSys = (h & 0x3f702a) | 2;
  state.thunk = { kind: 'explicit', size: 4, res: h & 0x8d5, a: 0, b: 0, aux: 0 };
  return Math.imul(h, 31) | 0;
}

function readSlot(s: MachineState, slot: GuestSlot): number {
  switch (slot.kind) {
    case 'gpr': return s.gpr[slot.reg]!;
    case 'segBase': return s.segBase[slot.seg]!;
    case 'segSel': return s.segSel[slot.seg]!;
    case 'segFirst': return s.segFirst[slot.seg]!;
    case 'segSpan': return s.segSpan[slot.seg]!;
    case 'eflagsSys': return s.eflagsSys;
  }
}

function writeSlot(s: MachineState, slot: GuestSlot, v: number): void {
  switch (slot.kind) {
    case 'gpr': s.gpr[slot.reg] = v; return;
    case 'segBase': s.segBase[slot.seg] = v; return;
    case 'segSel': s.segSel[slot.seg] = v; return;
    case 'segFirst': case 'segSpan': throw new Error(`put of the read-only slot ${slot.kind}`);
    case 'eflagsSys': s.eflagsSys = v; return;
  }
}

/**
 * Everything observable after a run, as one comparable object. `withFlags`
 * false models a translator that told flag-liveness every successor
 * overwrites the flags: then they are not observable after a normal or side
 * exit (an always-taken exit.if becomes the block's exit, so the two are one
 * kind here), only after a fault.
 */
export function observe(state: MachineState<PatternMemory>, outcome: Outcome, withFlags: boolean): unknown {
  return {
    outcome,
    gpr: state.gpr.map((v) => v | 0),
    segBase: state.segBase.map((v) => v | 0),
    segSel: state.segSel,
    eflagsSys: state.eflagsSys | 0,
    flags: withFlags || outcome.kind !== 'exit' ? thunkFlags(state.thunk) : 'dead',
    memory: [...state.memory.written.entries()].sort((x, y) => x[0] - y[0]),
    vmmLog: state.vmmLog,
  };
}
