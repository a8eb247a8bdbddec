/**
 * Region compilation: several IR blocks become ONE JavaScript function.
 *
 * A region is the set of blocks the translator gathered from an entry by
 * direct jumps and branches within a page (translator/region-builder.ts).
 * Compiling them together is what makes translated code fast: guest
 * registers and the flags thunk live in JS locals for as long as control
 * stays in the region, and a guest loop becomes a JS loop the JIT can
 * optimise as a whole:
 *
 *   function region_00100000(L) {              // L: the case to start at (0: the entry)
 *     let r0 = R[0], r1 = R[1];                 // registers the region uses
 *     let ccOp = cpu.ccOp, …;                   // the thunk, if flags are used
 *     let bud = cpu.budget, b0 = bud, xc = 0, inv = 0, rv = -1, re = -1, ne = 0, ub = 0;
 *     out: for (;;) switch (L) {
 *       case 0: { …block 0…  L = 1; continue out; }
 *       case 1: { …block 1…  ne = 0x100040; xc = 0; break out; }
 *     }
 *     R[0] = r0; …; cpu.eip = ne;
 *     bud += ub; cpu.icount += b0 - bud; cpu.budget = bud;
 *     if (rv >= 0) MON.raise(rv, re);
 *     return xc;
 *   }
 *
 * Budget checks sit only at the top of switch cases (the entry, loop heads,
 * blocks with several ways in): a case checks that the longest run of
 * instructions to the next check (its own block and the blocks inlined into
 * it) fits the budget. A budget exit therefore always leaves at the start of
 * a case, and the dispatcher resumes the same function there (`L`) after
 * delivering events, instead of translating a new region at that address.
 *
 * The function is created once per region with `new Function`, inside a
 * factory whose parameters bind the closure constants (CpuState, its arrays,
 * the monitor, helpers, the memory emitter's views), so the running code
 * allocates nothing and creates no closures.
 */
import type { Block, FlagKind, GuestSlot, MemSize } from '../ir/types.js';
import type { CpuState } from '../state/state.js';
import type { Monitor } from '../vmm-interface/interface.js';
import type { CompiledRegion } from '../cache/compiled-region.js';
import { BlockEmitter, CodegenError, hex, type RegionScope } from './emit-block.js';
import { ccOpOf, CONDS, FLAG_KINDS, flagsOf, PARITY } from '../state/flags-thunk.js';
import type { MemoryEmitter } from './memory-access.js';
import { returnSiteOf } from '../ir/block-exits.js';
import { templateOf, type TemplateCache } from './region-template.js';
import { bswap, div64s, div64sOverflow, div64u, div64uOverflow, HELPER_OUT, smulhi, umulhi } from './runtime.js';

/** The blocks of a region; blocks[0] is the entry. */
export interface RegionPlan {
  readonly entry: number;
  readonly mode: number;
  readonly blocks: readonly Block[];
}

export interface RegionCode {
  /** The factory body: `return (function region_…() {…});`. */
  readonly source: string;
  /** Guest EIP of each direct exit, by exit index. */
  readonly exitTargets: readonly number[];
  /** Memory accesses are calls (the emitter's compact form was asked for and differs from the inline one). */
  readonly compactMemory: boolean;
}

/** Everything generated code is bound to. One per virtual CPU. */
export interface CodegenEnv {
  readonly cpu: CpuState;
  readonly monitor: Monitor;
  readonly mem: MemoryEmitter;
}

export interface CodegenOptions {
  /**
   * Keep guest registers in JS locals for the whole region (default). Off
   * (`--no-opt=locals`), every access goes to CpuState.regs: slower, and
   * useful to measure what locals buy.
   */
  readonly registerLocals?: boolean;
  /**
   * Memory accesses as calls to shared functions where the emitter has such
   * a form (MemoryEmitter.compact): for regions not yet hot, which run in
   * V8's lower tiers, where a call is cheaper than the inline text and the
   * source to compile is shorter (the translator asks; RegionCode says
   * whether calls were emitted).
   */
  readonly compactMemory?: boolean;
}

const CC_FIELDS = ['ccOp', 'ccSize', 'ccRes', 'ccA', 'ccB', 'ccAux'] as const;

/** Which guest locals the region touches. */
interface Usage {
  regsUsed: number;
  regsWritten: number;
  efsUsed: boolean;
  efsWritten: boolean;
  /** The region has flags ops: the thunk lives in locals. */
  flags: boolean;
  /** Some flags.get or flags.all may read the thunk as it was at entry: the prologue loads it. */
  flagsAtEntry: boolean;
  /** Some flags.set: the locals may differ from CpuState's thunk and are written back. */
  flagsSet: boolean;
}

/**
 * Most regions set the flags before they read them (`cmp` then `jcc`), and
 * their entry thunk is dead: they skip the six loads of the prologue, start
 * the locals at ccOp = -1 ("CpuState's thunk is current") and write back only
 * once a set has happened. In a region still running in V8's baseline tier
 * (most kernel code) every one of those loads and stores is an inline-cache
 * call, on every region run. A read is "before a set" unless its own block
 * set the flags unconditionally, or reloaded them after a VMM call, earlier:
 * blocks are entered from several places (other blocks, budget resumes,
 * return sites), so nothing is assumed across blocks.
 */
function usageOf(blocks: readonly Block[]): Usage {
  const u: Usage = { regsUsed: 0, regsWritten: 0, efsUsed: false, efsWritten: false, flags: false, flagsAtEntry: false, flagsSet: false };
  const slot = (s: GuestSlot, write: boolean): void => {
    if (s.kind === 'gpr') {
      u.regsUsed |= 1 << s.reg;
      if (write) u.regsWritten |= 1 << s.reg;
    } else if (s.kind === 'eflagsSys') {
      u.efsUsed = true;
      if (write) u.efsWritten = true;
    }
  };
  for (const b of blocks) {
    let fresh = false; // the thunk locals hold a value made in this block
    for (const op of b.ops) {
      if (op.op === 'get') slot(op.slot, false);
      else if (op.op === 'put') slot(op.slot, true);
      else if (op.op === 'flags.set') {
        u.flags = u.flagsSet = true;
        if (op.guard === null) fresh = true;
      } else if (op.op === 'flags.get' || op.op === 'flags.all') {
        u.flags = true;
        if (!fresh) u.flagsAtEntry = true;
      } else if (op.op === 'emulate') fresh = true;
    }
  }
  return u;
}

/** A thunk kind as codegen knows it statically: ccOp*8 + size, or UNKNOWN_THUNK. */
const UNKNOWN_THUNK = -1, NOT_REACHED = -2;

/**
 * The kind of the thunk in the locals where each block starts, when every
 * way into it within the region agrees (a forward dataflow over the region's
 * JS control flow: jumps, branches, side exits and in-region returns). The
 * entry block is also entered from outside, so its kind is unknown. With a
 * known kind, a flags.get at the start of a block (`inc` needs the carry
 * before it, a `jcc` in the block after its `cmp`) compiles to an
 * expression over the thunk locals instead of a materialiser call.
 */
function thunksAtEntry(blocks: readonly Block[], index: (eip: number) => number, returnSites: readonly number[]): Int32Array {
  const n = blocks.length, at = new Int32Array(n).fill(NOT_REACHED);
  const meet = (i: number, k: number): boolean => {
    const old = at[i]!;
    const v = old === NOT_REACHED ? k : old === k ? old : UNKNOWN_THUNK;
    at[i] = v;
    return v !== old;
  };
  at[0] = UNKNOWN_THUNK;
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < n; i++) {
      if (at[i] === NOT_REACHED) continue;
      const b = blocks[i]!;
      let k = at[i]!, pending = NOT_REACHED;
      const to = (eip: number): void => {
        const j = index(eip);
        if (j >= 0 && meet(j, pending !== NOT_REACHED ? pending : k)) changed = true;
      };
      for (const op of b.ops) {
        if (op.op === 'flags.set') {
          if (op.guard === null) pending = ccOpOf(op.kind) * 8 + op.size;
          else { pending = NOT_REACHED; k = UNKNOWN_THUNK; }
        } else if (op.op === 'emulate') {
          pending = NOT_REACHED; k = UNKNOWN_THUNK;
        } else if (op.op === 'exitIf') {
          to(op.target);
        }
      }
      const e = b.exit;
      if (e.kind === 'jump') to(e.target);
      else if (e.kind === 'branch') { to(e.taken); to(e.fallthrough); }
      else if (e.kind === 'indirect' && e.hint === 'ret') for (const site of returnSites) to(site);
    }
  }
  return at;
}

/** Blocks of at most this many instructions are copied into each predecessor rather than dispatched to. */
const SMALL_BLOCK_INSNS = 3;

/** Region indices each block transfers to by JS control flow (side exits, jump, branch arms). */
function edgesOf(b: Block, index: (eip: number) => number): number[] {
  const out: number[] = [];
  const to = (eip: number): void => {
    const j = index(eip);
    if (j >= 0) out.push(j);
  };
  for (const op of b.ops) if (op.op === 'exitIf') to(op.target);
  const e = b.exit;
  if (e.kind === 'jump') to(e.target);
  else if (e.kind === 'branch') { to(e.taken); to(e.fallthrough); }
  return out;
}

/**
 * Which blocks are emitted inside their only predecessor rather than as
 * switch cases, and which cases loop back to themselves. A block with
 * exactly one incoming edge (not the entry, not a return site, which are
 * entered from outside the JS control flow) is inlined at that edge, so a
 * loop whose header has the loop body hanging off it runs as one JS loop.
 */
function layoutOf(blocks: readonly Block[], index: (eip: number) => number, returnSites: readonly number[]):
  { inlined: Uint8Array; loopsBack: Uint8Array } {
  const n = blocks.length, ways = new Int32Array(n), parent = new Int32Array(n).fill(-1);
  const edges = blocks.map((b) => edgesOf(b, index));
  edges.forEach((out, i) => { for (const j of out) { ways[j]! += 1; parent[j] = i; } });
  const inlined = new Uint8Array(n), loopsBack = new Uint8Array(n), entered = new Uint8Array(n);
  entered[0] = 1;
  for (const site of returnSites) { const j = index(site); if (j >= 0) entered[j] = 1; }
  for (let i = 1; i < n; i++) if (ways[i] === 1 && parent[i] !== i && entered[i] === 0) inlined[i] = 1;
  // A tiny block with several ways in (`inc edi; jmp head` reached from
  // three places) is copied into each: only when everything it goes to is
  // a case, so copies nest no further and the inlining stays acyclic.
  for (let i = 1; i < n; i++) {
    if (inlined[i] === 1 || entered[i] === 1 || ways[i]! < 2 || blocks[i]!.guestInsns > SMALL_BLOCK_INSNS) continue;
    if (edges[i]!.every((j) => j !== i && inlined[j] === 0 && !isSmall(j))) inlined[i] = 2;
  }
  function isSmall(j: number): boolean {
    return j !== 0 && entered[j] === 0 && ways[j]! >= 2 && blocks[j]!.guestInsns <= SMALL_BLOCK_INSNS;
  }
  // A case loops back when code emitted inside it (inlined blocks, copies) transfers to it.
  for (let r = 0; r < n; r++) {
    if (inlined[r] !== 0) continue;
    const stack = [r];
    while (stack.length > 0) {
      for (const j of edges[stack.pop()!]!) {
        if (j === r) loopsBack[r] = 1;
        else if (inlined[j] !== 0) stack.push(j);
      }
    }
  }
  for (let i = 0; i < n; i++) if (inlined[i] === 2) inlined[i] = 1;
  return { inlined, loopsBack };
}

class Scope implements RegionScope {
  private readonly index = new Map<number, number>();
  private readonly slots = new Map<number, number>();
  private readonly sites: { eip: number; index: number }[] = [];
  private readonly thunks: Int32Array;
  private readonly layout: { inlined: Uint8Array; loopsBack: Uint8Array };
  private readonly longest = new Map<number, number>();
  readonly exitTargets: number[] = [];

  constructor(readonly mem: MemoryEmitter, private readonly blocks: readonly Block[], private readonly usage: Usage,
    private readonly registerLocals: boolean) {
    if (!registerLocals) {
      usage.regsUsed = 0;
      usage.regsWritten = 0;
    }
    blocks.forEach((b, i) => {
      if (!this.index.has(b.address >>> 0)) this.index.set(b.address >>> 0, i);
    });
    const seen = new Set<number>();
    for (const b of blocks) {
      const site = returnSiteOf(b), index = site >= 0 ? this.blockIndex(site) : -1;
      if (index >= 0 && !seen.has(site)) {
        seen.add(site);
        this.sites.push({ eip: site, index });
      }
    }
    this.thunks = thunksAtEntry(blocks, (eip) => this.blockIndex(eip), this.sites.map((x) => x.eip));
    this.layout = layoutOf(blocks, (eip) => this.blockIndex(eip), this.sites.map((x) => x.eip));
  }

  block(index: number): Block {
    return this.blocks[index]!;
  }

  inlined(index: number): boolean {
    return this.layout.inlined[index] === 1;
  }

  loopsBack(index: number): boolean {
    return this.layout.loopsBack[index] === 1;
  }

  checkInsns(index: number): number {
    const known = this.longest.get(index);
    if (known !== undefined) return known;
    // Blocks inlined under a case form a tree (each has one way in), so the
    // longest check-free run is its own length plus its longest inlined child.
    this.longest.set(index, this.blocks[index]!.guestInsns); // cuts a cycle, should one exist
    let most = 0;
    for (const j of edgesOf(this.blocks[index]!, (eip) => this.blockIndex(eip))) {
      if (j !== index && this.inlined(j)) most = Math.max(most, this.checkInsns(j));
    }
    const n = this.blocks[index]!.guestInsns + most;
    this.longest.set(index, n);
    return n;
  }

  thunkAtEntry(eip: number): { kind: FlagKind; size: MemSize } | null {
    const i = this.blockIndex(eip), k = i >= 0 ? this.thunks[i]! : UNKNOWN_THUNK;
    return k < 0 ? null : { kind: FLAG_KINDS[k >> 3]!, size: (k & 7) as MemSize };
  }

  reg(reg: number): string {
    return this.registerLocals ? `r${reg}` : `R[${reg}]`;
  }

  returnSites(): readonly { readonly eip: number; readonly index: number }[] {
    return this.sites;
  }

  blockIndex(eip: number): number {
    return this.index.get(eip >>> 0) ?? -1;
  }

  exitSlot(eip: number): number {
    let s = this.slots.get(eip >>> 0);
    if (s === undefined) {
      s = this.exitTargets.length;
      this.exitTargets.push(eip >>> 0);
      this.slots.set(eip >>> 0, s);
    }
    return s;
  }

  writeBack(): string {
    const u = this.usage, parts: string[] = [];
    for (let r = 0; r < 8; r++) if (u.regsWritten & (1 << r)) parts.push(`R[${r}] = r${r};`);
    if (u.efsWritten) parts.push('cpu.eflagsSys = efs;');
    if (u.flagsSet) {
      const store = CC_FIELDS.map((f) => `cpu.${f} = ${f};`).join(' ');
      parts.push(u.flagsAtEntry ? store : `if (ccOp !== -1) { ${store} }`);
    }
    return parts.join(' ');
  }

  reload(): string {
    const u = this.usage, parts: string[] = [];
    for (let r = 0; r < 8; r++) if (u.regsUsed & (1 << r)) parts.push(`r${r} = R[${r}];`);
    if (u.efsUsed) parts.push('efs = cpu.eflagsSys;');
    if (u.flags) for (const f of CC_FIELDS) parts.push(`${f} = cpu.${f};`);
    return parts.join(' ');
  }

  declarations(): string {
    const u = this.usage, parts: string[] = [];
    for (let r = 0; r < 8; r++) if (u.regsUsed & (1 << r)) parts.push(`r${r} = R[${r}]`);
    if (u.efsUsed) parts.push('efs = cpu.eflagsSys');
    if (u.flags) for (const f of CC_FIELDS) parts.push(u.flagsAtEntry ? `${f} = cpu.${f}` : `${f} = ${f === 'ccOp' ? -1 : 0}`);
    return parts.length ? `let ${parts.join(', ')};` : '';
  }
}

/** The JS source of a region (pure: no compilation). */
export function generateRegion(plan: RegionPlan, mem: MemoryEmitter, options: CodegenOptions = {}): RegionCode {
  if (plan.blocks.length === 0) throw new CodegenError(plan.entry, 'empty region');
  if ((plan.blocks[0]!.address >>> 0) !== (plan.entry >>> 0)) {
    throw new CodegenError(plan.entry, `first block is at ${hex(plan.blocks[0]!.address)}, not the entry`);
  }
  const usage = usageOf(plan.blocks);
  const emitter = options.compactMemory === true ? mem.compact ?? mem : mem;
  const scope = new Scope(emitter, plan.blocks, usage, options.registerLocals ?? true);
  const cases: string[] = [];
  plan.blocks.forEach((b, i) => {
    if (!scope.inlined(i)) cases.push(`case ${i}: {\n${new BlockEmitter(b, scope).emit()}\n}`);
  });
  const name = `region_${(plan.entry >>> 0).toString(16).padStart(8, '0')}`;
  // The parentheses make V8 compile the region function eagerly, with the
  // factory, instead of pre-parsing it now and parsing it again in full at
  // its first call: every region runs, so the pre-parse is pure cost (about a
  // quarter of the CPU time spent turning a region's source into bytecode).
  const source = [
    `return (function ${name}(L) {`,
    scope.declarations(),
    'L = L | 0; let bud = cpu.budget, b0 = bud, xc = 0, inv = 0, rv = -1, re = -1, ne = 0, ub = 0;',
    'out: for (;;) {',
    'switch (L) {',
    ...cases,
    `default: throw new Error('${name}: no block ' + L);`,
    '}',
    '}',
    scope.writeBack(),
    'cpu.eip = ne; bud += ub; cpu.icount += b0 - bud; cpu.budget = bud;',
    'if (rv >= 0) MON.raise(rv, re);',
    'return xc;',
    '});',
  ].join('\n');
  return { source, exitTargets: scope.exitTargets, compactMemory: emitter !== mem };
}

/** What instantiateRegion's factory takes and returns: the closure constants, then the region's function. */
export type RegionFactory = (...args: unknown[]) => (label?: number) => number;

/**
 * Compile generated source into the region's function, bound to `env` and
 * to the region itself. With `templates`, the source is compiled as a
 * template (region-template.ts) shared by every region of the same shape,
 * and the region is an instance bound to its own constants.
 */
export function instantiateRegion(code: string, env: CodegenEnv, region: CompiledRegion,
  templates?: TemplateCache<RegionFactory>): (label?: number) => number {
  const cpu = env.cpu;
  const m = env.mem.bindings();
  const names = [
    'cpu', 'R', 'SB', 'SSEL', 'MON', 'REGION', 'CCF', 'CONDS', 'PAR', 'HO',
    'DIV64U', 'DIV64S', 'DIV64UO', 'DIV64SO', 'UMULHI', 'SMULHI', 'BSWAP', ...m.names,
  ];
  const values = [
    cpu, cpu.regs, cpu.segBase, cpu.segSel, env.monitor, region, flagsOf, CONDS, PARITY, HELPER_OUT,
    div64u, div64s, div64uOverflow, div64sOverflow, umulhi, smulhi, bswap, ...m.values,
  ];
  if (templates === undefined) return (new Function(...names, code) as RegionFactory)(...values);
  const template = templateOf(code);
  const factory = templates.factoryFor(template.source, (source) => new Function(...names, 'K', source) as RegionFactory);
  return factory(...values, template.constants);
}
