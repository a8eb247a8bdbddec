/**
 * One IR block as JavaScript statements, for the body of a region function
 * (compile-region.ts builds the function around it).
 *
 * Conventions of the region function this code runs in:
 *   r0..r7, efs          guest registers and EFLAGS' system bits, in locals
 *   ccOp … ccAux         the lazy-flags thunk, in locals
 *   bud, b0              the instruction budget and its value at the last
 *                        settlement with cpu.icount
 *   L                    the region block to run next (a `switch (L)` case)
 *   xc                   the exit code to return; `break out` leaves through
 *                        the common write-back, `continue out` runs block L
 *   ne, ub               set by an exit before `break out`: the EIP to leave
 *                        at and the charged instructions that did not
 *                        retire; the write-back stores them (see leave()).
 *                        A budget exit stores the case it left in
 *                        REGION.resumeAt itself (only it needs one)
 *   inv                  set when a store invalidated this region
 *   rv, re               an exception to raise after write-back (rv >= 0)
 *   t<N>                 IR temps (block-scoped consts: the IR is SSA)
 *
 * A thunk recorded by flags.set stays static (its operands are temps) until
 * something needs it in the locals — the block's end, a VMM call, an exit —
 * so a flags.get after it in the same block compiles from the operands
 * (state/flags-thunk.ts), and a thunk overwritten in the same block costs
 * nothing.
 *
 * Budget accounting: a block charges all its instructions on entry; a side
 * exit after instruction k refunds the ones that did not retire, so
 * cpu.icount stays exact wherever the block is left. Only a switch case
 * checks the budget, for the longest path to the next check, so a region
 * never runs past its budget and a budget exit is always at a case start.
 */
import type { Block, BinaryOpName, FlagKind, GuestSlot, MemSize, Op, UnaryOpName, Value } from '../ir/types.js';
import { routineIndex, VMM_ROUTINES } from '../vmm-interface/interface.js';
import { INSN_MARKER } from './source-listing.js';
import { ExitCode } from './exit-codes.js';
import { coldTemps } from './cold-temps.js';
import { allFlagsExpr, ccOpOf, condExpr, CONDS, type ThunkOperands } from '../state/flags-thunk.js';
import type { MemoryEmitter } from './memory-access.js';
import { laterStores, type ProbedStore } from './store-probes.js';

/**
 * Leaving the region through the common write-back: exits only assign
 * locals, and the write-back, which runs on every exit, stores them into
 * CpuState. An exit path that stored to cpu or REGION itself, or adjusted
 * the budget with `+=`, would carry no type feedback until it first ran, and
 * V8 deoptimises a function the first time it reaches such an operation: a
 * budget exit did that once in every region, and each deopt costs a
 * recompile (qsort: 25 deopts, 102 TurboFan compiles).
 */
export function leave(eip: string, xc: number | string, refund: number): string {
  return `${refund !== 0 ? `ub = ${refund}; ` : ''}ne = ${eip}; xc = ${xc}; break out;`;
}

/** The IR asked for something codegen cannot compile (a lifter or pass bug). */
export class CodegenError extends Error {
  override readonly name = 'CodegenError';
  constructor(readonly address: number, readonly detail: string) {
    super(`codegen: block 0x${(address >>> 0).toString(16)}: ${detail}`);
  }
}

/** What a block emitter needs from the region around it. */
export interface RegionScope {
  readonly mem: MemoryEmitter;
  /** Index of the region block starting at this EIP, or -1 if outside the region. */
  blockIndex(eip: number): number;
  /** The region block at `index`. */
  block(index: number): Block;
  /** True when the block at `index` has exactly one way in, from another block, and is emitted there instead of as a case. */
  inlined(index: number): boolean;
  /** True when the case at `index` is branched back to from its own code (itself or a block inlined into it). */
  loopsBack(index: number): boolean;
  /** Instructions on the longest path from the start of case `index` to the next budget check. */
  checkInsns(index: number): number;
  /** Blocks of the region that follow one of its calls: where an in-region `ret` may continue. */
  returnSites(): readonly { readonly eip: number; readonly index: number }[];
  /** Kind and size of the thunk in the locals whenever the block at `eip` starts, if the region fixes it. */
  thunkAtEntry(eip: number): { readonly kind: FlagKind; readonly size: MemSize } | null;
  /** Direct-exit slot for a target outside the region (allocated on first use). */
  exitSlot(eip: number): number;
  /** Where guest register `reg` lives in the function: a local (r0…) or the CpuState array (R[0]…). */
  reg(reg: number): string;
  /** Statements writing every live local back to CpuState (registers, efs, thunk). */
  writeBack(): string;
  /** Statements reloading every local the region uses from CpuState. */
  reload(): string;
}

interface StaticThunk {
  readonly kind: FlagKind;
  readonly size: MemSize;
  readonly ops: ThunkOperands;
}

export const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

export function val(v: Value): string {
  return v.kind === 'tmp' ? `t${v.id}` : v.value < 0 ? `(${v.value})` : String(v.value);
}

const BINARY: Record<BinaryOpName, (a: string, b: string) => string> = {
  add: (a, b) => `(${a} + ${b}) | 0`,
  sub: (a, b) => `(${a} - ${b}) | 0`,
  mul: (a, b) => `Math.imul(${a}, ${b})`,
  and: (a, b) => `${a} & ${b}`,
  or: (a, b) => `${a} | ${b}`,
  xor: (a, b) => `${a} ^ ${b}`,
  shl: (a, b) => `${a} << ${b}`,
  shr: (a, b) => `(${a} >>> ${b}) | 0`,
  sar: (a, b) => `${a} >> ${b}`,
  rol: (a, b) => `(${a} << ${b}) | (${a} >>> (32 - ${b}))`,
  ror: (a, b) => `(${a} >>> ${b}) | (${a} << (32 - ${b}))`,
  umulhi: (a, b) => `UMULHI(${a}, ${b})`,
  smulhi: (a, b) => `SMULHI(${a}, ${b})`,
  eq: (a, b) => `${a} === ${b} ? 1 : 0`,
  ne: (a, b) => `${a} !== ${b} ? 1 : 0`,
  ltu: (a, b) => `(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`,
  leu: (a, b) => `(${a} >>> 0) <= (${b} >>> 0) ? 1 : 0`,
  lts: (a, b) => `${a} < ${b} ? 1 : 0`,
  les: (a, b) => `${a} <= ${b} ? 1 : 0`,
};

const UNARY: Record<UnaryOpName, (a: string) => string> = {
  not: (a) => `~${a}`,
  neg: (a) => `-${a} | 0`,
  sext8: (a) => `${a} << 24 >> 24`,
  sext16: (a) => `${a} << 16 >> 16`,
  zext8: (a) => `${a} & 255`,
  zext16: (a) => `${a} & 65535`,
  bswap: (a) => `BSWAP(${a})`,
  parity: (a) => `PAR[${a} & 255]`,
};

const HELPERS = { div64u: 'DIV64U', div64s: 'DIV64S', div64uOverflow: 'DIV64UO', div64sOverflow: 'DIV64SO' } as const;

export class BlockEmitter {
  private readonly out: string[] = [];
  private pending: StaticThunk | null = null;
  /** Kind and size of the thunk in the locals (ccOp…), when known at this point of the block. */
  private known: { readonly kind: FlagKind; readonly size: MemSize } | null;
  /** Index of the current instruction in the block, its address and its successor's. */
  private k = -1;
  private insnAddr = 0;
  private insnNext = 0;
  private insnStores = false;
  private scratch = 0;
  private readonly n: number;

  /** Region index of the switch case this code is emitted in (its own, or the block it is inlined into). */
  private readonly root: number;
  /** Temps only cold exits need (cold-temps.ts), and their definitions so far, for those exits. */
  private readonly cold: Uint8Array;
  private readonly coldDefs: string[] = [];
  /** First stores of multi-store instructions → the later stores to probe before them (store-probes.ts). */
  private readonly probes: Map<Op, ProbedStore[]>;

  constructor(private readonly block: Block, private readonly scope: RegionScope, root = -1) {
    this.n = block.guestInsns;
    this.cold = coldTemps(block);
    this.probes = scope.mem.probeStore === undefined ? new Map() : laterStores(block, (r) => scope.reg(r));
    this.known = scope.thunkAtEntry(block.address);
    this.root = root >= 0 ? root : scope.blockIndex(block.address);
    this.isRoot = root < 0;
  }

  private readonly isRoot: boolean;

  /** The block's statements (without the surrounding case). */
  emit(): string {
    const b = this.block;
    if (b.guestInsns <= 0) throw new CodegenError(b.address, 'block has no instructions');
    // A case whose code (itself or a block inlined into it) branches back to
    // it — a tight loop, a rep string, a loop whose body has one way in —
    // becomes a JS loop of its own: `continue` instead of a trip through the switch.
    const loops = this.isRoot && this.scope.loopsBack(this.root);
    if (loops) this.line(`b${this.root}: for (;;) {`);
    // Only cases check the budget, for everything up to the next check; see compile-region.ts.
    if (this.isRoot) {
      const need = this.scope.checkInsns(this.root);
      this.line(`if (bud < ${need}) { ne = ${hex(b.address)}; REGION.resumeAt = ${this.root}; xc = ${ExitCode.Budget}; break out; }`);
    }
    this.line(`bud -= ${this.n};`);
    for (const op of b.ops) this.op(op);
    this.endInsn(true);
    this.exit();
    if (loops) this.line('}');
    return this.out.join('\n');
  }

  private line(s: string): void {
    this.out.push(s);
  }

  private op(op: Op): void {
    switch (op.op) {
      case 'insn':
        this.endInsn(false);
        this.k++;
        this.insnAddr = op.address >>> 0;
        this.insnNext = (op.address + op.length) >>> 0;
        this.insnStores = false;
        // The address only: the disassembly stays out of compiled source (source-listing.ts adds it for dumps).
        this.line(`${INSN_MARKER}${hex(op.address)}`);
        return;
      case 'get':
        this.line(`const t${op.dst.id} = ${this.readSlot(op.slot)};`);
        return;
      case 'put':
        this.line(this.writeSlot(op.slot, val(op.src)));
        return;
      case 'mov':
        this.pure(op.dst.id, `const t${op.dst.id} = ${val(op.src)};`);
        return;
      case 'unary':
        this.pure(op.dst.id, `const t${op.dst.id} = ${UNARY[op.name](val(op.a))};`);
        return;
      case 'binary':
        this.pure(op.dst.id, `const t${op.dst.id} = ${BINARY[op.name](val(op.a), val(op.b))};`);
        return;
      case 'select':
        this.pure(op.dst.id, `const t${op.dst.id} = ${val(op.cond)} !== 0 ? ${val(op.a)} : ${val(op.b)};`);
        return;
      case 'load':
        this.line(this.scope.mem.load(op.size, `t${op.dst.id}`, val(op.addr), `m${this.scratch++}`, this.faultExit()));
        return;
      case 'store': {
        const later = this.probes.get(op);
        if (later !== undefined) {
          for (const p of later) this.line(this.scope.mem.probeStore!(p.size, p.addr, `m${this.scratch++}`, this.faultExit()));
        }
        this.insnStores = true;
        this.line(this.scope.mem.store(op.size, val(op.addr), val(op.src), `m${this.scratch++}`, this.faultExit()));
        return;
      }
      case 'flags.set': {
        const thunk: StaticThunk = {
          kind: op.kind, size: op.size,
          ops: { res: val(op.res), a: val(op.a), b: val(op.b), aux: val(op.aux) },
        };
        if (op.guard === null) {
          this.pending = thunk;
        } else {
          this.flush();
          this.line(`if (${val(op.guard)} !== 0) { ${thunkStores(thunk)} }`);
          this.known = null;
        }
        return;
      }
      case 'flags.get': {
        const p = this.pending, k = this.known;
        // The condition's name is written into the source: it must be one of CONDS' own keys.
        if (!Object.hasOwn(CONDS, op.cond)) throw new CodegenError(this.block.address, `unknown flag condition at ${hex(this.insnAddr)}`);
        if (p !== null) {
          this.line(`const t${op.dst.id} = ${condExpr(p.kind, p.size, p.ops, op.cond)} ? 1 : 0;`);
        } else if (k !== null) {
          this.line(`const t${op.dst.id} = ${condExpr(k.kind, k.size, THUNK_LOCALS, op.cond)} ? 1 : 0;`);
        } else {
          this.line(`const t${op.dst.id} = CONDS.${op.cond}(ccOp, ccSize, ccRes, ccA, ccB, ccAux);`);
        }
        return;
      }
      case 'flags.all': {
        const p = this.pending, k = this.known;
        const all = p !== null ? allFlagsExpr(p.kind, p.size, p.ops)
          : k !== null ? allFlagsExpr(k.kind, k.size, THUNK_LOCALS) : 'CCF(ccOp, ccSize, ccRes, ccA, ccB, ccAux)';
        this.line(`const t${op.dst.id} = ${all};`);
        return;
      }
      case 'helper': {
        const args = [0, 1, 2].map((i) => (op.args[i] !== undefined ? val(op.args[i]!) : '0')).join(', ');
        const d = op.dst !== null ? `const t${op.dst.id} = ` : '';
        let text = `${d}${HELPERS[op.name]}(${args});`;
        if (op.dst2 !== null) text += ` const t${op.dst2.id} = HO.second;`;
        this.pure(op.dst?.id ?? op.dst2?.id ?? -1, text);
        return;
      }
      case 'emulate':
        this.emulate(op);
        return;
      case 'raise': {
        const body = `${this.flushCode()}rv = ${op.vector}; re = ${op.errorCode ?? -1}; ${leave(hex(this.insnAddr), ExitCode.Leave, this.n - this.k)}`;
        this.line(op.cond !== null ? `if (${val(op.cond)} !== 0) { ${body} }` : `{ ${body} }`);
        return;
      }
      case 'exitIf': {
        // The instruction counts as retired (a rep with a zero count completes).
        const body = `${this.flushCode()}${this.transferCode(op.target, this.n - this.k - 1)}`;
        this.line(`if (${val(op.cond)} !== 0) { ${body} }`);
        return;
      }
    }
  }

  /**
   * Leaving for a fault at the current instruction (a memory emitter with an
   * MMU runs it after setting rv/re): state as before the instruction, which
   * the precise-exception rule guarantees (faulting ops precede its writes).
   */
  private faultExit(): string {
    return `${this.flushCode()}${leave(hex(this.insnAddr), ExitCode.Leave, this.n - this.k)}`;
  }

  /** A pure op's statement: on the main line, or kept for the cold exits when only they need it. */
  private pure(dst: number, text: string): void {
    if (dst >= 0 && this.cold[dst] === 1) this.coldDefs.push(text);
    else this.line(text);
  }

  private readSlot(slot: GuestSlot): string {
    switch (slot.kind) {
      case 'gpr': return this.scope.reg(slot.reg);
      case 'segBase': return `SB[${slot.seg}]`;
      case 'segSel': return `SSEL[${slot.seg}]`;
      case 'segFirst': return `cpu.segFirst[${slot.seg}]`;
      case 'segSpan': return `cpu.segSpan[${slot.seg}]`;
      case 'eflagsSys': return 'efs';
    }
  }

  private writeSlot(slot: GuestSlot, v: string): string {
    switch (slot.kind) {
      case 'gpr': return `${this.scope.reg(slot.reg)} = ${v};`;
      case 'eflagsSys': return `efs = ${v} | 2;`;
      default:
        throw new CodegenError(this.block.address, `put to read-only slot ${slot.kind} at ${hex(this.insnAddr)}`);
    }
  }

  private emulate(op: Op & { op: 'emulate' }): void {
    const index = routineIndex(op.routine);
    if (index < 0) throw new CodegenError(this.block.address, `unknown VMM routine ${op.routine}`);
    this.flush();
    const args = [0, 1, 2].map((i) => (op.args[i] !== undefined ? val(op.args[i]!) : '0')).join(', ');
    const unretired = this.n - this.k;
    this.line(`// emulate ${VMM_ROUTINES[index]!}`);
    this.line(this.scope.writeBack());
    this.line(`bud += ${unretired}; cpu.icount += b0 - bud; cpu.budget = bud; cpu.eip = ${hex(this.insnAddr)};`);
    // Leave: the monitor owns the state now (locals are stale); the instruction retired.
    this.line(`if (MON.emulate(${index}, ${hex(op.next)}, ${args}) !== 0) { cpu.icount += 1; cpu.budget -= 1; return ${ExitCode.Leave}; }`);
    this.line(this.scope.reload());
    this.known = null;
    this.line(`b0 = cpu.budget; bud = b0 - ${unretired};`);
    if (op.dst !== null) this.line(`const t${op.dst.id} = MON.result | 0;`);
  }

  /** End of the current instruction: leave if one of its stores invalidated this region. */
  private endInsn(last: boolean): void {
    if (this.k < 0 || !this.insnStores) return;
    // After the block's last instruction the exit decides where to go (transferCode checks inv).
    if (last) return;
    this.line(`if (inv !== 0) { ${this.flushCode()}${leave(hex(this.insnNext), ExitCode.CodeModified, this.n - this.k - 1)} }`);
  }

  private exit(): void {
    this.flush();
    const e = this.block.exit;
    switch (e.kind) {
      case 'jump':
        this.line(this.transferCode(e.target));
        return;
      case 'branch':
        this.line(`if (${val(e.cond)} !== 0) { ${this.transferCode(e.taken)} } else { ${this.transferCode(e.fallthrough)} }`);
        return;
      case 'indirect':
        this.line(this.indirectCode(val(e.target), e.hint));
        return;
      case 'dispatch':
        this.line(leave(hex(e.next), ExitCode.Dispatch, 0));
        return;
    }
  }

  /**
   * Go to guest address `target`: a region block by JS control flow, else a
   * direct exit. `refund`: instructions charged to the budget that did not
   * retire (a side exit's).
   */
  private transferCode(target: number, refund = 0): string {
    const t = target >>> 0;
    const idx = this.scope.blockIndex(t);
    if (idx >= 0) {
      const smc = (refund !== 0 ? `bud += ${refund}; ` : '') +
        (this.insnStores ? `if (inv !== 0) { ${leave(hex(t), ExitCode.CodeModified, 0)} } ` : '');
      if (idx === this.root && this.scope.loopsBack(idx)) return `${smc}continue b${idx};`;
      // A block with no other way in is emitted right here, inside this one.
      if (this.scope.inlined(idx)) return `${smc}{\n${new BlockEmitter(this.scope.block(idx), this.scope, this.root).emit()}\n}`;
      return `${smc}L = ${idx}; continue out;`;
    }
    return leave(hex(t), this.scope.exitSlot(t), refund);
  }

  /**
   * A computed jump. A `ret` whose popped address is one of the region's
   * return sites (the blocks after its calls) continues there in the
   * function; anything else leaves for the dispatcher's fast lookup.
   */
  private indirectCode(target: string, hint: 'ret' | 'call' | 'jmp'): string {
    const sites = hint === 'ret' ? this.scope.returnSites() : [];
    if (sites.length === 0) return leave(`${target} >>> 0`, ExitCode.Indirect, 0);
    const smc = this.insnStores ? `if (inv !== 0) { ${leave('j', ExitCode.CodeModified, 0)} } ` : '';
    const cases = sites.map((s) => `case ${hex(s.eip)}: ${smc}L = ${s.index}; continue out;`).join(' ');
    return `{ const j = ${target} >>> 0; switch (j) { ${cases} } ${leave('j', ExitCode.Indirect, 0)} }`;
  }

  /** Statements moving the static thunk into the locals (without forgetting it). */
  private flushCode(): string {
    if (this.pending === null) return '';
    return (this.coldDefs.length ? this.coldDefs.join(' ') + ' ' : '') + thunkStores(this.pending) + ' ';
  }

  private flush(): void {
    if (this.pending !== null) {
      this.line(thunkStores(this.pending));
      this.known = { kind: this.pending.kind, size: this.pending.size };
    }
    this.pending = null;
  }
}

/** The thunk as the region's locals hold it. */
const THUNK_LOCALS: ThunkOperands = { res: 'ccRes', a: 'ccA', b: 'ccB', aux: 'ccAux' };

function thunkStores(t: StaticThunk): string {
  return `ccOp = ${ccOpOf(t.kind)}; ccSize = ${t.size}; ccRes = ${t.ops.res}; ccA = ${t.ops.a}; ccB = ${t.ops.b}; ccAux = ${t.ops.aux};`;
}
