/**
 * Which encodings around the integer SIMD rows exist at all: for every
 * opcode the integer table uses, every mandatory prefix (none, 66, F3, F2),
 * register and memory ModRM, and every /reg of the shift groups, the host
 * CPU either runs the instruction or raises #UD — and btvm's form lookup
 * (findForm over ALL_FORMS, what the lifter resolves at translation time)
 * must find a row exactly when the host runs it. This catches a missing row
 * (a prefix variant or group member the table forgot), a row that should not
 * exist (rep paddb is #UD, not paddb), and a register-only row given a memory
 * form or the reverse.
 */
import { describe, expect, it } from 'vitest';
import { FORMS } from '../../src/simd/integer/forms.js';
import { ALL_FORMS } from '../../src/simd/all-forms.js';
import { OpMap } from '../../src/simd/simd-form.js';
import { MXCSR_DEFAULT } from '../../src/simd/simd-scratch.js';
import { findForm } from '../../src/simd/unit/form-index.js';
import { haveSseOracle, runSse, SIGILL, SSE_ORACLE_MISSING, SseBatch } from '../support/sse-oracle.js';

const ok = haveSseOracle();
if (!ok) console.log(`skipping: ${SSE_ORACLE_MISSING}`);

const PREFIX_BYTE = [-1, 0x66, 0xf3, 0xf2];
const PREFIX_NAME = ['', '66 ', 'F3 ', 'F2 '];
/** Opcodes followed by an imm8 in every form that exists (pshuf*, the shift groups, pinsrw, pextrw, shufps/pd). */
const TAKES_IMM = new Set([0x70, 0x71, 0x72, 0x73, 0xc4, 0xc5, 0xc6]);
const GROUPS = new Set([0x71, 0x72, 0x73]);

interface Probe {
  readonly prefix: number;
  readonly opcode: number;
  readonly modrm: number;
}

function probes(): Probe[] {
  const opcodes = [...new Set(FORMS.map((f) => f.opcode))].sort((a, b) => a - b);
  const out: Probe[] = [];
  for (const opcode of opcodes) {
    for (let prefix = 0; prefix < 4; prefix++) {
      const regs = GROUPS.has(opcode) ? [0, 1, 2, 3, 4, 5, 6, 7] : [0];
      for (const reg of regs) {
        // Register form (rm = 0 for the groups, whose A is rm; else B = register 1) and memory form [eax].
        out.push({ prefix, opcode, modrm: 0xc0 | (reg << 3) | (GROUPS.has(opcode) ? 0 : 1) });
        out.push({ prefix, opcode, modrm: reg << 3 });
      }
    }
  }
  return out;
}

const bytesOf = (p: Probe): number[] => [
  ...(p.prefix ? [PREFIX_BYTE[p.prefix]] : []), 0x0f, p.opcode, p.modrm, ...(TAKES_IMM.has(p.opcode) ? [0x01] : []),
];

describe.skipIf(!ok)('encodings around the integer SIMD rows: a row exactly where the host runs the instruction', () => {
  it('agrees with the host for every prefix, ModRM kind and group member of the integer opcodes', () => {
    const list = probes();
    const batch = new SseBatch(list.length);
    list.forEach((p, i) => {
      batch.setCode(i, bytesOf(p));
      batch.setMxcsr(i, MXCSR_DEFAULT);
      batch.setMemOffset(i, 0);
    });
    const res = runSse(batch);
    const wrong: string[] = [];
    list.forEach((p, i) => {
      const status = res.status(i);
      const hostRuns = status === 0;
      const fi = findForm(OpMap.M0F, p.prefix, p.opcode, p.modrm);
      const name = `${PREFIX_NAME[p.prefix]}0F ${p.opcode.toString(16).toUpperCase()} modrm ${p.modrm.toString(16).padStart(2, '0')}`;
      if (!hostRuns && status !== SIGILL) wrong.push(`${name}: host status ${status} (neither ran nor #UD)`);
      else if (hostRuns !== (fi >= 0)) wrong.push(`${name}: host ${hostRuns ? 'runs it' : 'raises #UD'}, btvm ${fi >= 0 ? `finds ${ALL_FORMS[fi]!.mnemonic}` : 'finds no row'}`);
    });
    expect(list.length).toBeGreaterThan(500);
    expect(wrong).toEqual([]);
  });
});
