/**
 * Decoder throughput over real code: every executable section of 32-bit
 * libc, decoded sequentially. Target: ≥ 15 million instructions/s.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/decode.bench.js`
 * (benny reports ops/s of one full pass; instructions/s is printed too).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import b from 'benny';
import { decode } from '../src/decoder/decode.js';
import { parseElf32, sectionData } from '../src/loader/elf32.js';

const LIBC = '/usr/lib32/libc.so.6';

export function loadCode(file = LIBC): { code: Uint8Array; base: number }[] {
  const elf = parseElf32(new Uint8Array(readFileSync(file)));
  return elf.sections.filter((s) => (s.flags & 4) !== 0 && s.type !== 8).map((s) => ({ code: sectionData(elf, s), base: s.addr }));
}

/** One sequential pass; returns the instruction count. */
export function decodePass(sections: { code: Uint8Array; base: number }[]): number {
  let n = 0;
  for (const { code, base } of sections) {
    let off = 0;
    const len = code.length;
    while (off < len) {
      const i = decode(code, off, (base + off) >>> 0);
      off += i.length > 0 ? i.length : 1;
      n++;
    }
  }
  return n;
}

/** Best-of-N instructions per second (used by the CLI-free check and the report). */
export function measure(passes = 5): { insns: number; perSecond: number } {
  const sections = loadCode();
  const insns = decodePass(sections); // warm-up, builds tables
  let best = Infinity;
  for (let i = 0; i < passes; i++) {
    const t0 = performance.now();
    decodePass(sections);
    best = Math.min(best, performance.now() - t0);
  }
  return { insns, perSecond: insns / (best / 1000) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sections = loadCode();
  const insns = decodePass(sections);
  const m = measure();
  console.log(`libc: ${insns} instructions, best pass ${(m.perSecond / 1e6).toFixed(1)} M insns/s`);
  await b.suite(
    'decode libc .text',
    b.add('decode pass', () => {
      decodePass(sections);
    }),
    b.cycle((r: { name: string; details: { mean: number } }) => {
      console.log(`  ${(insns / r.details.mean / 1e6).toFixed(1)} M insns/s (mean of benny's samples)`);
    }),
    b.complete(),
  );
}
