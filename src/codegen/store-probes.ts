/**
 * Precise page faults for instructions that store more than once (pusha,
 * enter, push of a memory operand's value after a push, call gates'
 * frames written by generated code…): when a later store faults, the
 * earlier ones must not have happened (SDM Vol. 3A, 6.6: faults are
 * reported with the state before the instruction).
 *
 * The block emitter asks this file, per block, which stores are the first
 * of a multi-store instruction and what the addresses of that
 * instruction's later stores are, written as JS expressions valid at the
 * first store. Before the first store it then emits the memory emitter's
 * probeStore for each later one (a TLB write hit costs one array load; a
 * miss asks the MMU, which faults without storing).
 *
 * An address is expressible at the first store when it is a constant, a
 * temp defined before it, or built after it from such values by a small set
 * of integer ops and register reads that no put in between changes — which
 * covers every stack-frame address the lifter computes (esp - 4k). A store
 * whose address is not (it depends on a load, say) is left unprobed; such
 * an instruction would leave its earlier stores behind on a fault.
 */
import type { Block, MemSize, Op, Value } from '../ir/types.js';

export interface ProbedStore {
  readonly size: MemSize;
  /** JS int32 expression of the store's address, valid at the instruction's first store. */
  readonly addr: string;
}

const BINARY: Partial<Record<string, (a: string, b: string) => string>> = {
  add: (a, b) => `((${a} + ${b}) | 0)`,
  sub: (a, b) => `((${a} - ${b}) | 0)`,
  and: (a, b) => `(${a} & ${b})`,
  or: (a, b) => `(${a} | ${b})`,
  xor: (a, b) => `(${a} ^ ${b})`,
  shl: (a, b) => `(${a} << ${b})`,
  mul: (a, b) => `Math.imul(${a}, ${b})`,
};

const literal = (v: Value & { kind: 'const' }): string => (v.value < 0 ? `(${v.value})` : String(v.value));

/**
 * For the first store of each instruction with two or more stores: the
 * later stores of that instruction. `reg(r)` names guest register r in the
 * region function (a local or the CpuState array).
 */
export function laterStores(block: Block, reg: (r: number) => string): Map<Op, ProbedStore[]> {
  const out = new Map<Op, ProbedStore[]>();
  const ops = block.ops;
  const defAt = new Map<number, number>();
  ops.forEach((op, i) => {
    if ('dst' in op && op.dst !== null && op.dst !== undefined && typeof op.dst === 'object') defAt.set(op.dst.id, i);
  });
  let start = 0;
  while (start < ops.length) {
    let end = start + 1;
    while (end < ops.length && ops[end]!.op !== 'insn') end++;
    const stores: number[] = [];
    for (let i = start; i < end; i++) if (ops[i]!.op === 'store') stores.push(i);
    if (stores.length >= 2) {
      const first = stores[0]!;
      const probes: ProbedStore[] = [];
      for (const i of stores.slice(1)) {
        const st = ops[i] as Op & { op: 'store' };
        const addr = expressionAt(st.addr, first, ops, defAt, reg);
        if (addr !== null) probes.push({ size: st.size, addr });
      }
      if (probes.length > 0) out.set(ops[first]!, probes);
    }
    start = end;
  }
  return out;
}

/** `v` as an expression evaluated at op index `at`, or null when it cannot be computed there. */
function expressionAt(v: Value, at: number, ops: readonly Op[], defAt: Map<number, number>, reg: (r: number) => string,
  depth = 0): string | null {
  if (v.kind === 'const') return literal(v);
  const i = defAt.get(v.id);
  if (i === undefined) return null;
  if (i < at) return `t${v.id}`;
  if (depth > 16) return null;
  const op = ops[i]!;
  const sub = (x: Value): string | null => expressionAt(x, at, ops, defAt, reg, depth + 1);
  switch (op.op) {
    case 'mov':
      return sub(op.src);
    case 'binary': {
      const f = BINARY[op.name];
      const a = sub(op.a), b = sub(op.b);
      return f === undefined || a === null || b === null ? null : f(a, b);
    }
    case 'get': {
      if (op.slot.kind === 'segBase') return `SB[${op.slot.seg}]`;
      if (op.slot.kind !== 'gpr') return null;
      const r = op.slot.reg;
      // The register must hold the same value at the first store as at this read.
      for (let k = at; k < i; k++) {
        const o = ops[k]!;
        if (o.op === 'put' && o.slot.kind === 'gpr' && o.slot.reg === r) return null;
        if (o.op === 'emulate') return null;
      }
      return reg(r);
    }
    default:
      return null;
  }
}
