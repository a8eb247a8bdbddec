/**
 * The translator: guest EIP → compiled region in the translation cache.
 *
 *   lift (src/lift) → optimise (src/passes) → region assembly
 *   (region-builder.ts) → JS source (src/codegen) → new Function → cache
 *
 * One `new Function` per whole region; tier-0 regions of one shape share a
 * compiled template (codegen/region-template.ts). Regions not yet hot reach
 * paged memory through calls (CodegenOptions.compactMemory) rather than
 * inline TLB code, and are translated again once hot. `-d js` prints each
 * region's source as it is generated; the region keeps only its length.
 * The `-d in_asm,ir,opt,js` logs go through a TranslationLog the caller
 * passes in (the CLI owns formatting and files).
 * Time spent here is accumulated so the dispatcher can report translation
 * versus execution time.
 *
 * An entry on a page the cache reports as hot with self-modifying code
 * (src/cache/smc-pages.ts) gets a region of one block of one instruction,
 * lifted afresh: a store there then kills only the instructions it covers,
 * and making a translation again costs one instruction, not a region walk.
 * Unlike single-step mode it ends in a direct jump, so it still chains.
 */
import { CompiledRegion } from '../cache/compiled-region.js';
import type { TranslationCache } from '../cache/translation-cache.js';
import { generateRegion, instantiateRegion, type CodegenEnv, type CodegenOptions, type RegionCode, type RegionFactory } from '../codegen/compile-region.js';
import { TemplateCache } from '../codegen/region-template.js';
import { readableSource } from '../codegen/source-listing.js';
import { gsSharedMode, MODE_FLAT, MODE_SINGLE_STEP, stackSizeOf } from '../state/mode.js';
import { SEG_GS, type CpuState } from '../state/state.js';
import { hex32, printBlock } from '../ir/print.js';
import type { Block } from '../ir/types.js';
import type { LiftMode } from '../lift/lift-mode.js';
import type { LiftOptions } from '../lift/lifter.js';
import type { CodeFetcher } from '../lift/code-fetcher.js';
import type { CodeSpace } from './code-reader.js';
import { buildRegion, DEFAULT_REGION_LIMITS, type RegionLimits } from './region-builder.js';

export type TranslationLogKind = 'in_asm' | 'ir' | 'opt' | 'js';

/** Where `-d` logs go; `enabled` is asked first so disabled logs cost nothing. */
export interface TranslationLog {
  enabled(kind: TranslationLogKind): boolean;
  write(kind: TranslationLogKind, text: string): void;
  /** The guest function a block starts in, for `-d in_asm`'s `IN: name` header (QEMU's); else the address heads it. */
  functionAt?(address: number): string | undefined;
}

/** The lifter and the pass pipeline, injected so tests can use hand-built blocks. */
export interface TranslatorStages {
  lift(code: CodeFetcher, address: number, mode: LiftMode, options: LiftOptions): Block;
  optimize(block: Block): Block;
}

export interface TranslatorOptions {
  readonly region?: RegionLimits;
  readonly codegen?: CodegenOptions;
  readonly log?: TranslationLog;
}

/** The LiftMode for a mode word and the CPU's segment state. */
export function liftModeOf(cpu: CpuState, mode: number): LiftMode {
  return {
    codeSize: cpu.codeSize,
    stackSize: stackSizeOf(cpu),
    flatSegments: (mode & MODE_FLAT) !== 0,
    mode,
    csBase: cpu.segBase[1]! >>> 0,
    model: cpu.model,
  };
}

/** Where translation time goes, in milliseconds (phases of `translateMs`). */
export class TranslationTimes {
  lift = 0;
  optimize = 0;
  codegen = 0;
  /** new Function: parsing the generated source (V8 compiles it lazily, at first run). */
  compile = 0;
}

export class Translator {
  /** Milliseconds spent translating (lift through new Function). */
  translateMs = 0;
  readonly times = new TranslationTimes();
  /** Lifted-and-optimised blocks shared by the regions that contain them (see blockAt). */
  blocksReused = 0;
  /** Translations cached for every GS class (no block accesses memory through GS: cacheModeOf). */
  gsShared = 0;
  /** Tier-0 regions are compiled as shared templates (codegen/region-template.ts). */
  readonly templates = new TemplateCache<RegionFactory>();
  /** Regions not yet hot run mostly unoptimised: their memory accesses are calls (CodegenOptions.compactMemory). */
  private readonly compactCodegen: CodegenOptions;
  private readonly region: RegionLimits;
  private readonly blocks = new Map<number, Block>();
  private blocksEpoch = -1;
  /**
   * Physical addresses where a tier-0 translation was made, that is, code
   * that has run: a promoted region takes in only these (region-builder.ts).
   * A hint, not a fact about the bytes, so it outlives invalidations; it is
   * bounded, and forgetting only makes the next promotions smaller.
   */
  private readonly ran = new Set<number>();

  /** Entries of a tier-0 region before the dispatcher promotes it (RegionLimits.promoteAfter). */
  get promoteAfter(): number {
    return this.region.promoteAfter ?? 0;
  }

  constructor(
    private readonly env: CodegenEnv,
    private readonly code: CodeSpace,
    private readonly cache: TranslationCache,
    private readonly stages: TranslatorStages,
    private readonly options: TranslatorOptions = {},
  ) {
    this.region = options.region ?? DEFAULT_REGION_LIMITS;
    this.compactCodegen = { ...options.codegen, compactMemory: true };
  }

  /**
   * Translate the region entered at `eip` under `mode`, insert it into the
   * cache and return it. With tiering on (RegionLimits.promoteAfter), a
   * 'first' translation is one block, marked tier 0, with compact memory
   * access; 'whole' asks for the full region the dispatcher promotes an
   * entry that ran often to, still with compact memory access; 'hot' for
   * the same region with inline memory access, once it is hot (see
   * CompiledRegion.promoteAt). Without tiering every translation is whole
   * and inline.
   */
  translate(eip: number, mode: number, liftMode: LiftMode, kind: TranslationKind = 'first'): CompiledRegion {
    const t0 = performance.now();
    try {
      return this.translateTimed(eip >>> 0, mode, liftMode, kind);
    } finally {
      this.translateMs += performance.now() - t0;
    }
  }

  private translateTimed(eip: number, mode: number, liftMode: LiftMode, kind: TranslationKind): CompiledRegion {
    const step = (mode & MODE_SINGLE_STEP) !== 0;
    const csBase = liftMode.csBase ?? 0;
    const linearOf = (x: number): number => (csBase + x) >>> 0;
    const times = this.times;
    if (!step && this.cache.isSmcHot(this.code.physical(linearOf(eip)) >>> 12)) {
      this.cache.stats.smcTranslations++;
      const blocks = [this.liftAndOptimize(eip, liftMode, ONE_INSN)];
      const t2 = performance.now();
      const code = generateRegion({ entry: eip, mode, blocks }, this.env.mem, this.options.codegen);
      const t3 = performance.now();
      times.codegen += t3 - t2;
      return this.install(eip, mode, blocks, code, linearOf, t3);
    }
    // A block reachable from several entries is lifted once: regions overlap
    // (each entry point gets its own), and lifting plus the passes cost more
    // than codegen. The memo is dropped whenever the cache invalidates or
    // flushes anything, so it never outlives the bytes it was lifted from.
    const epoch = this.cache.stats.invalidations + this.cache.stats.flushes;
    if (epoch !== this.blocksEpoch) {
      this.blocks.clear();
      this.blocksEpoch = epoch;
    }
    const liftAt = (at: number): Block => {
      const key = this.code.physical(linearOf(at));
      const known = this.blocks.get(key);
      // With a block log on (-d in_asm, ir, opt, js) every region lifts and logs all of its blocks,
      // so the dumps show each translation whole, as QEMU's do, and agree with --stats.
      if (known !== undefined && known.mode === mode && known.address === at && this.options.log === undefined) {
        this.blocksReused++;
        return known;
      }
      const block = this.liftAndOptimize(at, liftMode, step ? SINGLE_STEP : WHOLE_BLOCK);
      this.blocks.set(key, block);
      return block;
    };
    const tiering = !step && (this.region.promoteAfter ?? 0) > 0 && this.region.maxBlocks > 1;
    const tier0 = tiering && kind === 'first';
    const compact = tiering && kind !== 'hot';
    const limits = step || tier0 ? ONE_BLOCK : this.region;
    const ran = tiering ? (at: number): boolean => this.ran.has(this.code.physical(linearOf(at))) : undefined;
    const blocks = buildRegion(eip, limits, liftAt, linearOf, ran);
    if (tier0) this.noteRan(this.code.physical(linearOf(eip)));
    const t2 = performance.now();
    const code = generateRegion({ entry: eip, mode, blocks }, this.env.mem, compact ? this.compactCodegen : this.options.codegen);
    const t3 = performance.now();
    times.codegen += t3 - t2;
    const region = this.install(eip, mode, blocks, code, linearOf, t3, tier0);
    region.promoteAt = tier0 ? this.promoteAfter : code.compactMemory ? HOT_AFTER : Number.POSITIVE_INFINITY;
    return region;
  }

  private noteRan(physical: number): void {
    if (this.ran.size >= RAN_CAPACITY) this.ran.clear();
    this.ran.add(physical);
  }

  private liftAndOptimize(at: number, liftMode: LiftMode, options: LiftOptions): Block {
    const log = this.options.log, times = this.times;
    const t0 = performance.now();
    const lifted = this.stages.lift(this.code, at, liftMode, options);
    const t1 = performance.now();
    times.lift += t1 - t0;
    if (log?.enabled('in_asm')) log.write('in_asm', guestListing(lifted, log));
    // Each section names its stage: with -d ir,opt the same block header appears twice.
    if (log?.enabled('ir')) log.write('ir', `IR after lifting (-d ir):\n${printBlock(lifted)}`);
    const opt = this.stages.optimize(lifted);
    times.optimize += performance.now() - t1;
    if (log?.enabled('opt')) log.write('opt', `IR after the passes (-d opt):\n${printBlock(opt)}`);
    return opt;
  }

  private install(eip: number, mode: number, blocks: Block[], code: RegionCode, linearOf: (x: number) => number,
    t3: number, tier0 = false): CompiledRegion {
    const log = this.options.log, times = this.times;
    if (log?.enabled('js')) log.write('js', `// region ${hex32(eip)} mode=0x${mode.toString(16)}\n${readableSource(code.source, blocks)}\n`);

    const ranges: number[] = [];
    let insns = 0, bytes = 0;
    for (const b of blocks) {
      const start = this.code.physical(linearOf(b.address));
      ranges.push(start, start + b.guestLength);
      insns += b.guestInsns;
      bytes += b.guestLength;
    }
    const key = cacheModeOf(mode, blocks);
    if (key !== mode) this.gsShared++;
    const region = new CompiledRegion(eip, this.code.physical(linearOf(eip)), key, ranges, code.exitTargets,
      insns, bytes, blocks.length, code.source);
    if (tier0) region.tier = 0;
    region.run = instantiateRegion(code.source, this.env, region, tier0 ? this.templates : undefined);
    times.compile += performance.now() - t3;
    this.cache.insert(region);
    return region;
  }
}

/** The word a region is cached under: its mode, without GS's class when no block accesses memory through GS. */
function cacheModeOf(mode: number, blocks: readonly Block[]): number {
  for (const b of blocks) if (((b.segmentsUsed ?? ALL_SEGMENTS) & (1 << SEG_GS)) !== 0) return mode;
  return gsSharedMode(mode);
}

/** Block.segmentsUsed when a block does not say. */
const ALL_SEGMENTS = 0x3f;

/** What a translation is for (see translate). */
export type TranslationKind = 'first' | 'whole' | 'hot';

/**
 * Weighted entries (CompiledRegion.executions) after which a whole region
 * with compact memory access is translated again with inline access: by
 * then V8 is about to optimise it, and optimised, inline access is faster
 * (sha256 under paging: 1.6x CPU with calls). Until then calls are cheaper
 * (the Debian boot with 20 fork/exec round trips: 0.76x CPU with calls in
 * every region).
 */
export const HOT_AFTER = 2048;

const WHOLE_BLOCK: LiftOptions = {};
/** Entries remembered as having run (Translator.ran): a 4-MiB Set at most. */
const RAN_CAPACITY = 1 << 18;
/** A tier-0 or single-step region: its entry block alone. */
const ONE_BLOCK: RegionLimits = { maxBlocks: 1 };
/** Single-step mode: one instruction, then back to the dispatcher. */
const SINGLE_STEP: LiftOptions = { singleStep: true };
/** Hot self-modifying page: one instruction ending in a direct (chainable) jump. */
const ONE_INSN: LiftOptions = { maxInsns: 1 };

/** The guest instructions of a block, one per line, for `-d in_asm`. */
function guestListing(block: Block, log: TranslationLog): string {
  const lines = [`IN: ${log.functionAt?.(block.address) ?? hex32(block.address)}`];
  for (const op of block.ops) if (op.op === 'insn') lines.push(`${hex32(op.address)}:  ${op.text}`);
  return lines.join('\n') + '\n';
}
