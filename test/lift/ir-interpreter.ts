/**
 * A slow, obviously-correct IR interpreter for the lifter's differential
 * tests: it runs lifted blocks on a tiny machine (flat segments, a few
 * memory regions, no VMM) so lifted semantics can be compared against the
 * host CPU through fixtures/native/harness before the code generator
 * exists. The flags thunk is evaluated from the SDM definitions in
 * src/ir/ops.ts's header, written here independently of src/codegen.
 */
import type { Block, FlagCond, Op, Value } from '../../src/ir/types.js';

export class GuestFault extends Error {
  constructor(readonly vector: number, readonly eip: number) {
    super(`guest fault #${vector} at 0x${eip.toString(16)}`);
  }
}

export interface Region {
  readonly base: number;
  readonly bytes: Uint8Array;
}

export class TestMachine {
  readonly regs = new Int32Array(8);
  eip = 0;
  eflagsSys = 0x202;
  cc = { kind: 'explicit', size: 4, res: 0, a: 0, b: 0, aux: 0 };
  constructor(readonly regions: Region[]) {}

  private locate(addr: number, size: number): [Uint8Array, number] {
    const a = addr >>> 0;
    for (const r of this.regions) {
      if (a >= r.base && a + size <= r.base + r.bytes.length) return [r.bytes, a - r.base];
    }
    throw new GuestFault(14, this.eip);
  }

  load(addr: number, size: number): number {
    const [m, o] = this.locate(addr, size);
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v * 256 + m[o + i]!) >>> 0;
    return v | 0;
  }

  store(addr: number, size: number, v: number): void {
    const [m, o] = this.locate(addr, size);
    for (let i = 0; i < size; i++) m[o + i] = (v >>> (8 * i)) & 0xff;
  }

  /** OSZAPC as EFLAGS bits, from the thunk (ops.ts semantics). */
  flags(): number {
    const { kind, size, aux } = this.cc;
    const n = size * 8;
    const mask = n === 32 ? 0xffffffff : (1 << n) - 1;
    const t = (x: number): number => ((x >>> 0) & mask) >>> 0;
    const res = t(this.cc.res), a = t(this.cc.a), b = t(this.cc.b);
    const msb = (x: number): number => (x >>> (n - 1)) & 1;
    if (kind === 'explicit') return this.cc.res & 0x8d5;
    const szp = (msb(res) << 7) | ((res === 0 ? 1 : 0) << 6) | (parity(res) << 2);
    let cf = 0, of = 0, af = 0;
    switch (kind) {
      case 'add': case 'adc': {
        const c = kind === 'adc' ? aux & 1 : 0;
        cf = a + b + c > mask ? 1 : 0;
        of = msb((a ^ res) & (b ^ res));
        af = ((a ^ b ^ res) >> 4) & 1;
        break;
      }
      case 'sub': case 'sbb': {
        const c = kind === 'sbb' ? aux & 1 : 0;
        cf = a < b + c ? 1 : 0;
        of = msb((a ^ b) & (a ^ res));
        af = ((a ^ b ^ res) >> 4) & 1;
        break;
      }
      case 'logic': break;
      case 'inc': cf = aux & 1; of = res === 2 ** (n - 1) ? 1 : 0; af = (res & 0xf) === 0 ? 1 : 0; break;
      case 'dec': cf = aux & 1; of = res === 2 ** (n - 1) - 1 ? 1 : 0; af = (res & 0xf) === 0xf ? 1 : 0; break;
      case 'shl': cf = b <= n ? bitOf(a, n - b) : 0; of = msb(res) ^ cf; break;
      case 'shr': cf = b - 1 < n ? bitOf(a, b - 1) : 0; of = msb(a); break;
      case 'sar': cf = b - 1 < n ? bitOf(a, b - 1) : msb(a); of = 0; break;
      case 'rol': case 'ror': {
        const before = aux & 0x8d5 & ~0x801;
        if (kind === 'rol') { cf = res & 1; of = msb(res) ^ cf; } else { cf = msb(res); of = msb(res) ^ bitOf(res, n - 2); }
        return before | cf | (of << 11);
      }
      case 'mul': cf = of = aux & 1; break;
      default: throw new Error('thunk kind ' + kind);
    }
    return szp | cf | (af << 4) | (of << 11);
  }

  cond(c: FlagCond): number {
    const f = this.flags();
    const CF = f & 1, PF = (f >> 2) & 1, AF = (f >> 4) & 1, ZF = (f >> 6) & 1, SF = (f >> 7) & 1, OF = (f >> 11) & 1;
    switch (c) {
      case 'cf': case 'b': return CF;
      case 'pf': case 'p': return PF;
      case 'af': return AF;
      case 'zf': case 'e': return ZF;
      case 'sf': case 's': return SF;
      case 'of': case 'o': return OF;
      case 'no': return OF ^ 1;
      case 'ae': return CF ^ 1;
      case 'ne': return ZF ^ 1;
      case 'be': return CF | ZF;
      case 'a': return (CF | ZF) ^ 1;
      case 'ns': return SF ^ 1;
      case 'np': return PF ^ 1;
      case 'l': return SF ^ OF;
      case 'ge': return (SF ^ OF) ^ 1;
      case 'le': return ZF | (SF ^ OF);
      case 'g': return (ZF | (SF ^ OF)) ^ 1;
    }
  }

  /** Run one block; returns the next EIP. Throws GuestFault on a raise or a bad access. */
  run(block: Block): number {
    const t = new Int32Array(block.tempCount);
    const v = (x: Value): number => (x.kind === 'const' ? x.value : t[x.id]!);
    for (const op of block.ops) {
      const side = this.step(op, t, v);
      if (side !== null) return side;
    }
    const e = block.exit;
    switch (e.kind) {
      case 'jump': return e.target;
      case 'branch': return v(e.cond) !== 0 ? e.taken : e.fallthrough;
      case 'indirect': return v(e.target) >>> 0;
      case 'dispatch': return e.next;
    }
  }

  private step(op: Op, t: Int32Array, v: (x: Value) => number): number | null {
    switch (op.op) {
      case 'insn': this.eip = op.address; return null;
      case 'get':
        if (op.slot.kind === 'gpr') t[op.dst.id] = this.regs[op.slot.reg]!;
        else if (op.slot.kind === 'eflagsSys') t[op.dst.id] = this.eflagsSys;
        else t[op.dst.id] = 0; // flat segments: bases 0; selectors unused here
        return null;
      case 'put':
        if (op.slot.kind === 'gpr') this.regs[op.slot.reg] = v(op.src);
        else if (op.slot.kind === 'eflagsSys') this.eflagsSys = v(op.src);
        else throw new Error('put of a read-only slot');
        return null;
      case 'mov': t[op.dst.id] = v(op.src); return null;
      case 'unary': t[op.dst.id] = unary(op.name, v(op.a)); return null;
      case 'binary': t[op.dst.id] = binary(op.name, v(op.a), v(op.b)); return null;
      case 'select': t[op.dst.id] = v(op.cond) !== 0 ? v(op.a) : v(op.b); return null;
      case 'load': {
        const x = this.load(v(op.addr), op.size);
        t[op.dst.id] = op.size === 4 ? x : x & (op.size === 1 ? 0xff : 0xffff);
        return null;
      }
      case 'store': this.store(v(op.addr), op.size, v(op.src)); return null;
      case 'flags.set':
        if (op.guard !== null && v(op.guard) === 0) return null;
        this.cc = { kind: op.kind, size: op.size, res: v(op.res), a: v(op.a), b: v(op.b), aux: v(op.aux) };
        return null;
      case 'flags.get': t[op.dst.id] = this.cond(op.cond); return null;
      case 'flags.all': t[op.dst.id] = this.flags(); return null;
      case 'helper': {
        const [hi, lo, d] = op.args.map((x) => v(x));
        const r = helper(op.name, hi!, lo!, d!);
        if (op.dst) t[op.dst.id] = r[0];
        if (op.dst2) t[op.dst2.id] = r[1];
        return null;
      }
      case 'emulate': throw new Error(`emulate ${op.routine} in a test machine`);
      case 'raise':
        if (op.cond === null || v(op.cond) !== 0) throw new GuestFault(op.vector, this.eip);
        return null;
      case 'exitIf': return v(op.cond) !== 0 ? op.target : null;
    }
  }
}

function bitOf(x: number, i: number): number {
  return i >= 32 || i < 0 ? 0 : (x >>> i) & 1;
}

function parity(x: number): number {
  let p = 1;
  for (let i = 0; i < 8; i++) p ^= (x >> i) & 1;
  return p;
}

function unary(name: string, a: number): number {
  switch (name) {
    case 'not': return ~a;
    case 'neg': return -a | 0;
    case 'sext8': return (a << 24) >> 24;
    case 'sext16': return (a << 16) >> 16;
    case 'zext8': return a & 0xff;
    case 'zext16': return a & 0xffff;
    case 'bswap': return ((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24);
    case 'parity': return parity(a);
  }
  throw new Error('unary ' + name);
}

function binary(name: string, a: number, b: number): number {
  const ua = BigInt.asUintN(32, BigInt(a)), ub = BigInt.asUintN(32, BigInt(b));
  switch (name) {
    case 'add': return (a + b) | 0;
    case 'sub': return (a - b) | 0;
    case 'mul': return Math.imul(a, b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return a << (b & 31);
    case 'shr': return (a >>> (b & 31)) | 0;
    case 'sar': return a >> (b & 31);
    case 'rol': { const c = b & 31; return c === 0 ? a : (a << c) | (a >>> (32 - c)); }
    case 'ror': { const c = b & 31; return c === 0 ? a : (a >>> c) | (a << (32 - c)); }
    case 'umulhi': return Number(BigInt.asIntN(32, (ua * ub) >> 32n));
    case 'smulhi': return Number(BigInt.asIntN(32, (BigInt(a) * BigInt(b)) >> 32n));
    case 'eq': return a === b ? 1 : 0;
    case 'ne': return a !== b ? 1 : 0;
    case 'ltu': return ua < ub ? 1 : 0;
    case 'leu': return ua <= ub ? 1 : 0;
    case 'lts': return a < b ? 1 : 0;
    case 'les': return a <= b ? 1 : 0;
  }
  throw new Error('binary ' + name);
}

function helper(name: string, hi: number, lo: number, d: number): [number, number] {
  if (d === 0) throw new Error('helper asked to divide by zero');
  if (name === 'div64u' || name === 'div64uOverflow') {
    const n = (BigInt.asUintN(32, BigInt(hi)) << 32n) | BigInt.asUintN(32, BigInt(lo));
    const dd = BigInt.asUintN(32, BigInt(d));
    const q = n / dd;
    if (name === 'div64uOverflow') return [q > 0xffffffffn ? 1 : 0, 0];
    return [Number(BigInt.asIntN(32, q)), Number(BigInt.asIntN(32, n % dd))];
  }
  const n = (BigInt(hi) << 32n) | BigInt.asUintN(32, BigInt(lo));
  const dd = BigInt(d);
  const q = n / dd; // BigInt division truncates toward zero, like idiv
  if (name === 'div64sOverflow') return [q > 0x7fffffffn || q < -0x80000000n ? 1 : 0, 0];
  return [Number(BigInt.asIntN(32, q)), Number(BigInt.asIntN(32, n % dd))];
}
