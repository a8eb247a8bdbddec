/**
 * Self-checks of the SSE/MMX oracle (fixtures/native/sse_oracle through
 * test/support/sse-oracle.ts): that each field of a case reaches the CPU and
 * each field of the result comes back from it, and that the three faults and
 * the refusals are reported as documented. Values are copies and the SDM's
 * fault rules, not arithmetic: the arithmetic is what the oracle is for
 * (forms-differential.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  haveSseOracle, REFUSED, runSse, SIGFPE, SIGILL, SIGSEGV, SSE_MEM_ADDR, SSE_ORACLE_MISSING, SseBatch,
} from '../support/sse-oracle.js';

const ok = haveSseOracle();
if (!ok) console.log(`skipping: ${SSE_ORACLE_MISSING}`);

const bytes = (n: number, from: number): Uint8Array => Uint8Array.from({ length: n }, (_, k) => (from + 13 * k) & 0xff);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** One case per code, every register and the window filled with distinct bytes, MXCSR default. */
function batchOf(codes: number[][]): SseBatch {
  const b = new SseBatch(codes.length);
  codes.forEach((code, i) => {
    b.setCode(i, code);
    b.setMxcsr(i, 0x1f80);
    for (let r = 0; r < 8; r++) {
      b.xmm(i, r).set(bytes(16, 16 * r + 1));
      b.mm(i, r).set(bytes(8, 8 * r + 200));
      b.setGpr(i, r, 0x01010101 * (r + 1));
    }
    b.mem(i).set(bytes(32, 77));
  });
  return b;
}

describe.skipIf(!ok)('sse_oracle', () => {
  it('returns every register it was given when the instruction changes none (orps xmm0, xmm0)', () => {
    const b = batchOf([[0x0f, 0x56, 0xc0]]);
    b.setEflags(0, 0x8d5);
    const r = runSse(b);
    expect(r.status(0)).toBe(0);
    for (let k = 0; k < 8; k++) {
      expect(hex(r.xmm(0, k))).toBe(hex(b.xmm(0, k)));
      expect(hex(r.mm(0, k))).toBe(hex(b.mm(0, k)));
      expect(r.gpr(0, k)).toBe(b.gpr(0, k));
    }
    expect(hex(r.mem(0))).toBe(hex(b.mem(0)));
    expect(r.mxcsr(0)).toBe(0x1f80);
    expect(r.eflags(0)).toBe(0x8d5);
  });

  it('moves between the register files, GPRs and the memory window at [eax]', () => {
    const b = batchOf([
      [0x0f, 0x28, 0xc7], // movaps xmm0, xmm7
      [0x0f, 0x6f, 0xc7], // movq mm0, mm7
      [0x66, 0x0f, 0x6e, 0xc6], // movd xmm0, esi
      [0x66, 0x0f, 0x7e, 0xc7], // movd edi, xmm0
      [0x0f, 0x10, 0x00], // movups xmm0, [eax]
      [0x0f, 0x11, 0x38], // movups [eax], xmm7
    ]);
    b.setMemOffset(4, 3);
    b.setMemOffset(5, 100);
    const r = runSse(b);
    for (let i = 0; i < 6; i++) expect(r.status(i)).toBe(0);
    expect(hex(r.xmm(0, 0))).toBe(hex(b.xmm(0, 7)));
    expect(hex(r.mm(1, 0))).toBe(hex(b.mm(1, 7)));
    expect(hex(r.xmm(2, 0))).toBe(Buffer.from(Uint32Array.of(b.gpr(2, 6), 0, 0, 0).buffer).toString('hex'));
    expect(r.gpr(3, 7)).toBe(Buffer.from(b.xmm(3, 0)).readUInt32LE(0));
    expect(hex(r.xmm(4, 0))).toBe(hex(b.mem(4).subarray(0, 16)));
    expect(r.gpr(4, 0)).toBe(SSE_MEM_ADDR + 3);
    expect(hex(r.mem(5).subarray(0, 16))).toBe(hex(b.xmm(5, 7)));
    expect(hex(r.mem(5).subarray(16))).toBe(hex(b.mem(5).subarray(16)));
  });

  it('sets EFLAGS from comiss and clears OF SF AF', () => {
    const b = batchOf([[0x0f, 0x2f, 0xc0]]); // comiss xmm0, xmm0: equal
    b.xmm(0, 0).set(Buffer.from(Float32Array.of(1.5, 0, 0, 0).buffer));
    b.setEflags(0, 0x890);
    const r = runSse(b);
    expect(r.status(0)).toBe(0);
    expect(r.eflags(0)).toBe(0x40);
  });

  it('reports #XM as SIGFPE with the MXCSR at the fault and the destination unchanged', () => {
    const b = batchOf([[0xf3, 0x0f, 0x5e, 0xc1]]); // divss xmm0, xmm1
    b.setMxcsr(0, 0x1f80 & ~0x200); // ZE unmasked
    b.xmm(0, 1).fill(0);
    const r = runSse(b);
    expect(r.status(0)).toBe(SIGFPE);
    expect(r.mxcsr(0)).toBe((0x1f80 & ~0x200) | 0x4);
    expect(hex(r.xmm(0, 0))).toBe(hex(b.xmm(0, 0)));
  });

  it('reports the #GP of a misaligned movaps as SIGSEGV, and runs it aligned', () => {
    const b = batchOf([[0x0f, 0x28, 0x00], [0x0f, 0x28, 0x00]]);
    b.setMemOffset(0, 8);
    b.setMemOffset(1, 16);
    const r = runSse(b);
    expect(r.status(0)).toBe(SIGSEGV);
    expect(hex(r.xmm(0, 0))).toBe(hex(b.xmm(0, 0)));
    expect(r.status(1)).toBe(0);
    expect(hex(r.xmm(1, 0))).toBe(hex(b.mem(1).subarray(0, 16)));
  });

  it('reports an undefined opcode as SIGILL', () => {
    const r = runSse(batchOf([[0x0f, 0x7a, 0xc1]]));
    expect(r.status(0)).toBe(SIGILL);
  });

  it('refuses what it could not run safely, saying why', () => {
    const b = batchOf([
      [0x0f, 0x58, 0xe0], // addps xmm4, xmm0: register 4 could be ESP
      [0x0f, 0x58, 0x01], // addps xmm0, [ecx]
      [0x41, 0x0f, 0x58, 0xc1], // REX
      [0x0f, 0x05], // syscall
      [0x0f, 0x70, 0xc1], // pshufw without its immediate
      [0x0f, 0x58, 0xc1],
    ]);
    b.setMxcsr(5, 0x21f80);
    const r = runSse(b);
    expect([0, 1, 2, 3, 4, 5].map((i) => [r.status(i), r.why(i)])).toEqual([
      [REFUSED, 5], [REFUSED, 4], [REFUSED, 2], [REFUSED, 3], [REFUSED, 6], [REFUSED, 8],
    ]);
  });

  it('runs 100,000 cases of one form in a few seconds', () => {
    const n = 100_000;
    const b = new SseBatch(n);
    for (let i = 0; i < n; i++) {
      b.setCode(i, [0x66, 0x0f, 0x70, 0xc1, i & 0xff]); // pshufd: the code changes with the immediate
      b.setMxcsr(i, 0x1f80);
    }
    const t0 = performance.now();
    const r = runSse(b);
    const ms = performance.now() - t0;
    expect(r.length).toBe(n);
    expect(ms).toBeLessThan(5000);
  });
});
