/**
 * `btvm run --stats` and `--stats-json FILE`: what one run did, as a table
 * on stderr and as JSON.
 *
 * The Machine returns raw counters (RunStats: the monitor's, the MMU's and
 * the executor's flat record); this file names them, derives the ratios a
 * reader wants (cache hit rate, time translating vs executing) and renders
 * both forms from the same RunReport, so the table and the JSON cannot
 * disagree. The executor's keys are those of src/exec/guest-executor.ts;
 * an executor that reports none (a scripted test guest) yields null
 * translation sections rather than zeros that would look measured.
 */
import { VECTOR_NAMES } from '../vmm/fault.js';
import type { RunResult } from '../machine/machine.js';
import type { MmuStatistics } from '../mmu/mmu.js';

export interface EventCounts {
  total: number;
  /** Vector (decimal, as a JSON key) → deliveries. */
  byVector: Record<number, number>;
}

export interface RunReport {
  exit: { kind: string; status: number; detail: string | null };
  guest: { instructions: number; virtualNs: number };
  time: {
    hostMs: number; translateMs: number | null; executeMs: number | null; mips: number;
    /** translateMs by phase: lifting (decoder and lifter), the IR passes, JS generation, and V8 compiling the source (new Function). */
    translatePhasesMs: { lift: number; passes: number; codegen: number; compile: number } | null;
  };
  translation: {
    regionsExecuted: number;
    translations: number;
    blocksTranslated: number;
    guestInsnsTranslated: number;
    guestBytesTranslated: number;
  } | null;
  cache: {
    /** Full lookups (a region needed that no chain link or indirect fast probe supplied). */
    lookups: number;
    hits: number;
    misses: number;
    /** hits / lookups. */
    hitRate: number;
    /** Direct-mapped table hits (indirect exits' probes and the first step of each full lookup). */
    fastHits: number;
    /** Region runs that needed no new translation: (regionsExecuted - translations) / regionsExecuted. */
    reuseRate: number;
    chainedTransitions: number;
    directExits: number;
    invalidations: number;
    /** Times a page became hot with self-modifying code (its entries then get one-instruction regions). */
    smcPagesDemoted: number;
    /** Translations made one instruction long on such pages. */
    smcTranslations: number;
    /** One-block first translations replaced by a whole region once hot (tiering). */
    promotions: number;
    hotRecompiles: number;
    /** Translations without GS accesses, cached for every GS class (state/mode.ts gsSharedMode). */
    gsShared: number;
    /** Tier-0 translations whose shape was already compiled (codegen/region-template.ts), and those compiled anew. */
    templateHits: number;
    templateMisses: number;
    flushes: number;
    regionsCached: number;
  } | null;
  exits: {
    direct: number; indirect: number; dispatch: number; budget: number;
    /** Budget exits whose region was resumed where it stopped. */
    budgetResumed: number;
    leave: number; codeModified: number;
  } | null;
  vmmCalls: { total: number; byRoutine: Record<string, number> };
  exceptions: EventCounts;
  softwareInterrupts: EventCounts;
  externalInterrupts: EventCounts;
  mmu: MmuStatistics | null;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

export function buildRunReport(result: RunResult): RunReport {
  const s = result.stats, x = s.executor;
  const has = 'regionsRun' in x;
  const n = (key: string): number => x[key] ?? 0;
  const end = result.reason;
  const total = (r: Record<string | number, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
  return {
    exit: { kind: end.kind, status: result.exitStatus, detail: end.kind === 'exit' ? null : end.detail },
    guest: { instructions: s.instructions, virtualNs: s.virtualNs },
    time: {
      hostMs: s.hostMs,
      translateMs: has ? n('translateMs') : null,
      executeMs: has ? n('executeMs') : null,
      translatePhasesMs: has ? {
        lift: n('translateLiftMs'), passes: n('translatePassesMs'), codegen: n('translateCodegenMs'), compile: n('translateCompileMs'),
      } : null,
      mips: ratio(s.instructions, s.hostMs * 1000),
    },
    translation: has ? {
      regionsExecuted: n('regionsRun'),
      translations: n('translations'),
      blocksTranslated: n('blocksTranslated'),
      guestInsnsTranslated: n('guestInsnsTranslated'),
      guestBytesTranslated: n('guestBytesTranslated'),
    } : null,
    cache: has ? {
      lookups: n('lookups'),
      hits: n('hits'),
      misses: n('misses'),
      hitRate: ratio(n('hits'), n('lookups')),
      fastHits: n('fastHits'),
      reuseRate: ratio(Math.max(0, n('regionsRun') - n('translations')), n('regionsRun')),
      chainedTransitions: n('chained'),
      directExits: n('exitsDirect'),
      invalidations: n('invalidations'),
      smcPagesDemoted: n('smcPagesDemoted'),
      smcTranslations: n('smcTranslations'),
      promotions: n('promotions'),
      hotRecompiles: n('hotRecompiles'),
      gsShared: n('gsShared'),
      templateHits: n('templateHits'),
      templateMisses: n('templateMisses'),
      flushes: n('flushes'),
      regionsCached: n('regionsCached'),
    } : null,
    exits: has ? {
      direct: n('exitsDirect'), indirect: n('exitsIndirect'), dispatch: n('exitsDispatch'),
      budget: n('exitsBudget'), budgetResumed: n('budgetResumed'), leave: n('exitsLeave'), codeModified: n('exitsCodeModified'),
    } : null,
    vmmCalls: { total: total(s.routineCalls), byRoutine: { ...s.routineCalls } },
    exceptions: { total: s.exceptions, byVector: { ...s.exceptionsByVector } },
    softwareInterrupts: { total: s.softwareInterrupts, byVector: { ...s.softwareByVector } },
    externalInterrupts: { total: s.externalInterrupts, byVector: { ...s.externalByVector } },
    mmu: s.mmu === null ? null : { ...s.mmu },
  };
}

type Row = readonly [label: string, value: string, note?: string];

const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const ms = (v: number): string => `${v.toFixed(1)} ms`;
const hex2 = (v: number): string => `0x${v.toString(16).padStart(2, '0')}`;

function eventRows(title: string, e: EventCounts, names: boolean): Row[] {
  const rows: Row[] = [[title, int(e.total)]];
  for (const [v, count] of Object.entries(e.byVector).sort(([a], [b]) => Number(a) - Number(b))) {
    const name = names ? VECTOR_NAMES[Number(v)] : undefined;
    rows.push([`  vector ${hex2(Number(v))}${name ? ` ${name}` : ''}`, int(count)]);
  }
  return rows;
}

/** The --stats table: one section per subsystem, label and value aligned. */
export function formatRunReport(r: RunReport): string {
  const sections: [string, Row[]][] = [];
  sections.push(['guest', [
    ['instructions executed', int(r.guest.instructions)],
    ['virtual time', `${(r.guest.virtualNs / 1e6).toFixed(3)} ms`],
    ['exit status', String(r.exit.status), r.exit.detail === null ? r.exit.kind : `${r.exit.kind}: ${r.exit.detail}`],
  ]]);
  const t = r.time;
  const timeRows: Row[] = [['host time', ms(t.hostMs), `${t.mips.toPrecision(3)} million guest instructions/s`]];
  if (t.translateMs !== null && t.executeMs !== null) {
    timeRows.push(['  translating', ms(t.translateMs), pct(ratio(t.translateMs, t.hostMs))]);
    const p = t.translatePhasesMs;
    if (p !== null) {
      timeRows.push(['    lifting', ms(p.lift), pct(ratio(p.lift, t.hostMs))]);
      timeRows.push(['    IR passes', ms(p.passes), pct(ratio(p.passes, t.hostMs))]);
      timeRows.push(['    generating JS', ms(p.codegen), pct(ratio(p.codegen, t.hostMs))]);
      timeRows.push(['    V8 compiling it', ms(p.compile), pct(ratio(p.compile, t.hostMs))]);
    }
    timeRows.push(['  executing (code + VMM)', ms(t.executeMs), pct(ratio(t.executeMs, t.hostMs))]);
  }
  sections.push(['time', timeRows]);
  if (r.translation !== null) {
    const x = r.translation;
    sections.push(['translation', [
      ['regions executed', int(x.regionsExecuted), `${(ratio(r.guest.instructions, x.regionsExecuted)).toFixed(1)} instructions per region run`],
      ['translations made', int(x.translations), `${x.blocksTranslated} blocks, ${x.guestInsnsTranslated} instructions, ${x.guestBytesTranslated} bytes`],
    ]]);
  }
  if (r.cache !== null) {
    const c = r.cache;
    sections.push(['translation cache', [
      ['lookups', int(c.lookups), `hits ${int(c.hits)}, misses ${int(c.misses)}: hit rate ${pct(c.hitRate)}`],
      ['fast-table hits', int(c.fastHits)],
      ['region runs from cache', pct(c.reuseRate), 'runs that needed no new translation'],
      ['chained transitions', int(c.chainedTransitions), `of ${int(c.directExits)} direct exits`],
      ['invalidations', int(c.invalidations)],
      ['promoted to whole regions', int(c.promotions), 'one-block first translations that ran often'],
      ['recompiled hot', int(c.hotRecompiles), 'whole regions given inline memory access once hot'],
      ['shared by GS classes', int(c.gsShared), 'translations without GS accesses, run whatever GS holds'],
      ['shared templates', int(c.templateHits), `tier-0 translations whose shape was compiled already (${int(c.templateMisses)} compiled)`],
      ['self-modifying pages demoted', int(c.smcPagesDemoted), `${int(c.smcTranslations)} one-instruction translations on them`],
      ['flushes', int(c.flushes)],
      ['regions cached at exit', int(c.regionsCached)],
    ]]);
  }
  if (r.exits !== null) {
    const e = r.exits;
    sections.push(['region exits', [
      ['direct', int(e.direct)], ['indirect', int(e.indirect)], ['dispatch (mode change)', int(e.dispatch)],
      ['budget (time slice)', int(e.budget), `${int(e.budgetResumed)} resumed in place`], ['leave (VMM asked)', int(e.leave)], ['code modified', int(e.codeModified)],
    ]]);
  }
  sections.push(['VMM calls', [
    ['total', int(r.vmmCalls.total)],
    ...Object.entries(r.vmmCalls.byRoutine).map(([k, v]): Row => [`  ${k}`, int(v)]),
  ]]);
  sections.push(['exceptions and interrupts', [
    ...eventRows('exceptions', r.exceptions, true),
    ...eventRows('software interrupts', r.softwareInterrupts, false),
    ...eventRows('external interrupts', r.externalInterrupts, false),
  ]]);
  sections.push(['MMU', r.mmu === null
    ? [['(none)', '-', 'this machine has no MMU: paging is not modelled in this run']]
    : Object.entries(r.mmu).map(([k, v]): Row => [k, int(v)])]);

  const width = Math.max(...sections.flatMap(([, rows]) => rows.map(([l]) => l.length))) + 4;
  const valueWidth = Math.max(...sections.flatMap(([, rows]) => rows.map(([, v]) => v.length)));
  const lines = ['btvm: run statistics'];
  for (const [title, rows] of sections) {
    lines.push(`  ${title}`);
    for (const [label, value, note] of rows) {
      lines.push(`    ${label.padEnd(width)}${value.padStart(valueWidth)}${note ? `   ${note}` : ''}`.trimEnd());
    }
  }
  return lines.join('\n') + '\n';
}

export function runReportJson(r: RunReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}
