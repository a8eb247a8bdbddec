/**
 * One batch of the host-CPU differential test: generate cases, encode them
 * with nasm (checked against intent), run them on the host CPU through the
 * harness (one process, in the background) and through btvm's translator
 * and dispatcher, and compare the two result lines after masking the flags
 * the SDM leaves undefined where each case ended.
 */
import { maskFlags, parseStateLine } from '../support/harness-protocol.js';
import { runNativeAsync } from '../support/native-harness.js';
import type { TranslatedRunner } from '../support/translated-runner.js';
import { encodeCases, undefinedFlagsAt, type EncodedCase } from './encode.js';
import { caseText, type ProgramGenerator } from './generator.js';

export interface Mismatch {
  readonly seed: number;
  readonly index: number;
  readonly report: string;
}

export interface BatchResult {
  readonly cases: number;
  readonly mismatches: Mismatch[];
  readonly encodingProblems: string[];
  /** Forms that appeared, encoded exactly as meant. */
  readonly formsHit: Set<number>;
  /** How cases ended on the host: 'exit', or the fault vector. */
  readonly endings: Map<string, number>;
  readonly ms: { generate: number; encode: number; btvm: number; native: number };
}

export interface BatchOptions {
  /** Also run every k-th case with one instruction per block (block boundaries everywhere). */
  readonly singleStepEvery?: number;
  readonly nasmProcesses?: number;
}

function describe(e: EncodedCase, seed: number, host: string, btvm: string, mask: number, mode: string): string {
  const regs = e.gen.input.regs.map((r) => (r >>> 0).toString(16)).join(' ');
  return [
    `seed=${seed} case=${e.gen.index} (${mode}); replay: new ProgramGenerator(inlineForms()).generate(${seed}, ${e.gen.index})`,
    `input: regs ${regs} eflags ${e.gen.input.eflags.toString(16)} seed ${e.gen.input.seed.toString(16)}`,
    `code: ${Buffer.from(e.code).toString('hex')}`,
    caseText(e.gen).split('\n').map((l) => '    ' + l).join('\n'),
    `undefined flags masked: ${mask.toString(16)}`,
    `host: ${host}`,
    `btvm: ${btvm}`,
  ].join('\n');
}

export async function runBatch(gen: ProgramGenerator, runner: TranslatedRunner, seed: number, count: number, options: BatchOptions = {}): Promise<BatchResult> {
  const t0 = performance.now();
  const cases = Array.from({ length: count }, (_, i) => gen.generate(seed, i));
  const t1 = performance.now();
  const encoded = await encodeCases(cases, options.nasmProcesses ?? 2);
  const t2 = performance.now();
  const nativePromise = runNativeAsync(encoded.map((e) => ({ code: e.code, input: e.gen.input })));
  const tNative0 = performance.now();
  const lines = encoded.map((e) => runner.run(e.code, e.gen.input).line);
  const stepEvery = options.singleStepEvery ?? 0;
  const stepLines = encoded.map((e, i) => (stepEvery > 0 && i % stepEvery === 0 ? runner.run(e.code, e.gen.input, { singleStep: true }).line : null));
  const t3 = performance.now();
  const native = await nativePromise;
  const t4 = performance.now();

  const mismatches: Mismatch[] = [];
  const encodingProblems: string[] = [];
  const formsHit = new Set<number>();
  const endings = new Map<string, number>();
  encoded.forEach((e, i) => {
    for (const p of e.problems) encodingProblems.push(`seed=${seed} case=${i}: ${p}`);
    for (const f of e.formsHit) formsHit.add(f);
    const host = native[i]!;
    const state = parseStateLine(host);
    const ending = state === null ? host.split(' ').slice(0, 2).join(' ') : state.fault === null ? 'exit' : state.fault.vector;
    endings.set(ending, (endings.get(ending) ?? 0) + 1);
    const mask = undefinedFlagsAt(e, host);
    const want = maskFlags(host, mask);
    const got = maskFlags(lines[i]!, mask);
    if (got !== want) mismatches.push({ seed, index: i, report: describe(e, seed, want, got, mask, 'regions') });
    const step = stepLines[i];
    if (step != null && maskFlags(step, mask) !== want) {
      mismatches.push({ seed, index: i, report: describe(e, seed, want, maskFlags(step, mask), mask, 'single-step') });
    }
  });
  return {
    cases: count, mismatches, encodingProblems, formsHit, endings,
    ms: { generate: t1 - t0, encode: t2 - t1, btvm: t3 - tNative0, native: t4 - tNative0 },
  };
}
