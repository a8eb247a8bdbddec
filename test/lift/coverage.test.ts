/**
 * Registry ↔ isa/ agreement: every form of isa/ is lifted inline, emulated
 * or raises #UD (no form without a lifter), and every lifter belongs to some
 * isa row. Also checks that the handling the report claims is what the
 * lifter actually emits, by lifting an encoding of each checked form.
 */
import { describe, expect, it } from 'vitest';
import { getTables } from '../../src/decoder/isa-tables.js';
import type { IsaForm } from '../../src/decoder/insn.js';
import { verifyBlock } from '../../src/ir/verify.js';
import { ArrayCodeFetcher } from '../../src/lift/code-fetcher.js';
import { coverageReport, formatCoverage, handlingOf } from '../../src/lift/coverage.js';
import { liftBlock } from '../../src/lift/lifter.js';

const forms = getTables().forms;

describe('lifter coverage of isa/', () => {
  const report = coverageReport(forms);

  it('every isa form has a lifter', () => {
    const missing = report.missing.map((f: IsaForm) => `${f.mnemonic} (${f.file}:${f.line})`);
    expect(missing).toEqual([]);
  });

  it('every lifter has an isa row', () => {
    expect(report.orphans).toEqual([]);
  });

  it('innocuous and control forms are inline, VMM or #UD; privileged and io forms never inline', () => {
    for (const f of forms) {
      const h = handlingOf(f);
      expect(h, f.mnemonic).not.toBeNull();
      if (f.cls === 'privileged' || f.cls === 'io') expect(h, `${f.mnemonic} ${f.file}:${f.line}`).not.toBe('inline');
    }
    expect(formatCoverage(report)).toContain('missing lifter:      0 forms');
  });

  it('the claimed handling matches the IR for sample encodings', () => {
    const cases: [number[], 'inline' | 'vmm' | 'ud'][] = [
      [[0x01, 0xd8], 'inline'], [[0x0f, 0x22, 0xc0], 'vmm'], [[0x8c, 0xd8], 'inline'], [[0x8e, 0xd8], 'vmm'],
      [[0x0f, 0xc7, 0xf0], 'ud'], [[0xd9, 0xc1], 'vmm'], [[0x1f], 'vmm'], [[0x1e], 'inline'], [[0xff, 0x2b], 'vmm'],
    ];
    for (const [bytes, want] of cases) {
      const b = liftBlock(new ArrayCodeFetcher(Uint8Array.from(bytes), 0), 0, { codeSize: 4, flatSegments: true, mode: 0 });
      expect(verifyBlock(b)).toEqual([]);
      const got = b.ops.some((o) => o.op === 'emulate') ? 'vmm'
        : b.ops.some((o) => o.op === 'raise' && o.vector === 6 && o.cond === null) ? 'ud' : 'inline';
      expect(got, bytes.map((x) => x.toString(16)).join(' ')).toBe(want);
    }
  });
});
