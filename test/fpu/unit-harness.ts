/**
 * Runs x87 cases (test/support/x87-oracle.ts's X87Case) through btvm's x87
 * unit, so the very cases the host CPU runs can be compared field by field.
 *
 * The case's FNSAVE image becomes an FpuState; its bytes are decoded (the
 * few encodings the tests use: optional 66 and 9B prefixes, D8..DF with a
 * register operand or [ebx]/[ebx+disp8], 0F AE /0 /1) and executed with the
 * memory buffer at MEM_ADDR, EBX = MEM_ADDR as on the host. The outcome is
 * reported as the oracle reports it: an FNSAVE-style state (tags computed
 * from contents), EAX, EFLAGS and the buffer, or `fault: 8` (SIGFPE) when
 * the unit answers that #MF is pending.
 */
import { fsw, FpuState, setFsw, setTagWord, tagWord } from '../../src/fpu/fpu-state.js';
import { executeFwait, executeX87, X87_DONE, X87_MF_PENDING, x87Op } from '../../src/fpu/unit/dispatch.js';
import { fxrstorX87, fxsaveX87 } from '../../src/fpu/unit/environment.js';
import type { FpuCpuLink, FpuMemory } from '../../src/fpu/unit/ports.js';
import { X87Unit } from '../../src/fpu/unit/x87-unit.js';
import { MEM_ADDR, runX87, stackState, type X87Case, type X87Outcome, type X87State } from '../support/x87-oracle.js';

/** Thrown by FlatMemory for an access outside the buffer or inside a `faulting` range. */
export class TestMemoryFault extends Error {
  constructor(readonly address: number) {
    super(`memory fault at 0x${(address >>> 0).toString(16)}`);
  }
}

/** A byte buffer at MEM_ADDR; accesses touching [faultFrom, faultTo) throw, as a not-present page would. */
export class FlatMemory implements FpuMemory {
  faultFrom = 0;
  faultTo = 0;
  writes = 0;
  constructor(readonly bytes: Uint8Array) {}
  private at(la: number, n: number): number {
    const off = (la >>> 0) - MEM_ADDR;
    if (off < 0 || off + n > this.bytes.length) throw new TestMemoryFault(la);
    const a = la >>> 0;
    if (a < this.faultTo && a + n > this.faultFrom) throw new TestMemoryFault(la);
    return off;
  }
  read8(la: number): number {
    return this.bytes[this.at(la, 1)]!;
  }
  read16(la: number): number {
    const o = this.at(la, 2);
    return this.bytes[o]! | (this.bytes[o + 1]! << 8);
  }
  read32(la: number): number {
    const o = this.at(la, 4);
    return (this.bytes[o]! | (this.bytes[o + 1]! << 8) | (this.bytes[o + 2]! << 16) | (this.bytes[o + 3]! << 24)) >>> 0;
  }
  write8(la: number, v: number): void {
    this.bytes[this.at(la, 1)] = v;
    this.writes++;
  }
  write16(la: number, v: number): void {
    const o = this.at(la, 2);
    this.bytes[o] = v;
    this.bytes[o + 1] = v >>> 8;
    this.writes++;
  }
  write32(la: number, v: number): void {
    const o = this.at(la, 4);
    for (let i = 0; i < 4; i++) this.bytes[o + i] = v >>> (8 * i);
    this.writes++;
  }
  checkWrite(la: number, length: number): void {
    this.at(la, length);
  }
}

/** EFLAGS, EAX and the selectors a 64-bit host process runs with (CS 0x33, data segments 0). */
export class TestCpu implements FpuCpuLink {
  constructor(public flags: number, public eax: number) {}
  eflags(): number {
    return this.flags;
  }
  setCompareFlags(zfPfCf: number): void {
    this.flags = (this.flags & ~0x8d5) | zfPfCf;
  }
  setAx(v: number): void {
    this.eax = ((this.eax & 0xffff0000) | (v & 0xffff)) >>> 0;
  }
  selector(seg: number): number {
    return seg === 1 ? 0x33 : 0;
  }
}

/** Loads an oracle state into a fresh unit (what FRSTOR does on the host). */
export function unitFromState(state: X87State, mem: FpuMemory, cpu: FpuCpuLink): X87Unit {
  const s = new FpuState();
  s.fcw = state.fcw;
  setFsw(s, state.fsw);
  setTagWord(s, state.ftw);
  s.fip = state.fip;
  s.fcs = state.fcs;
  s.fop = state.fop;
  s.fdp = state.fdp;
  s.fds = state.fds;
  for (let i = 0; i < 8; i++) {
    const p = 3 * ((s.top + i) & 7);
    s.regs[p] = state.st[3 * i]!;
    s.regs[p + 1] = state.st[3 * i + 1]!;
    s.regs[p + 2] = state.st[3 * i + 2]!;
  }
  return new X87Unit(s, mem, cpu);
}

/** The unit's state as FNSAVE reports it. */
export function stateOf(u: X87Unit): X87State {
  const s = u.s;
  const st = new Uint32Array(24);
  for (let i = 0; i < 8; i++) {
    const p = 3 * ((s.top + i) & 7);
    st.set(s.regs.subarray(p, p + 3), 3 * i);
  }
  return { fcw: s.fcw, fsw: fsw(s), ftw: tagWord(s), fip: s.fip, fcs: s.fcs, fop: s.fop, fdp: s.fdp, fds: s.fds, st };
}

/** Where the oracle places a case's first byte (after its prologue): the FIP an fnop there records. */
export function probeOracleCodeStart(): number {
  const [r] = runX87([{ state: stackState(0x37f, []), code: new Uint8Array([0xd9, 0xd0]) }]);
  return r!.state.fip;
}

/** Executes one case's bytes on the unit; `eip` is the address of the first byte (FIP for the first instruction). */
export function runOnUnit(c: X87Case, eip: number): X87Outcome {
  const bytes = new Uint8Array(Math.max(c.mem?.length ?? 0, 16));
  if (c.mem) bytes.set(c.mem);
  const mem = new FlatMemory(bytes);
  const cpu = new TestCpu(c.eflags ?? 0, c.eax ?? 0);
  const u = unitFromState(c.state, mem, cpu);
  u.fxsavePointersOnlyWhenPending = true; // the oracle is an AMD processor
  const code = c.code;
  let p = 0;
  let opSize = 4;
  while (p < code.length) {
    const start = p;
    let b = code[p++]!;
    if (b === 0x66) {
      opSize = 2;
      continue;
    }
    if (b === 0x90) continue;
    if (b === 0x9b) {
      if (executeFwait(u) === X87_MF_PENDING) return faultOutcome(u);
      continue;
    }
    const modrm = code[p++]!;
    let ea = 0;
    if (b === 0x0f) {
      b = modrm; // 0F AE /r: the ModRM follows AE
      const m = code[p++]!;
      ea = MEM_ADDR + operandDisp(m, code, p);
      p += dispLength(m);
      if (((m >>> 3) & 7) === 0) fxsaveX87(u, ea);
      else fxrstorX87(u, ea);
      continue;
    }
    if ((modrm & 0xc0) !== 0xc0) {
      ea = MEM_ADDR + operandDisp(modrm, code, p);
      p += dispLength(modrm);
    }
    const r = executeX87(u, x87Op(b, modrm, opSize, 3), ea, ea, (eip + start - (opSize === 2 ? 1 : 0)) | 0);
    if (r === X87_MF_PENDING) return faultOutcome(u);
    if (r !== X87_DONE) throw new Error(`unit rejected ${Buffer.from(code).toString('hex')}`);
    opSize = 4;
  }
  return { state: stateOf(u), eax: cpu.eax, eflags: cpu.flags & 0x8d5, mem: c.mem ? bytes.slice(0, c.mem.length) : null };
}

function dispLength(modrm: number): number {
  return modrm >>> 6 === 1 ? 1 : 0;
}

/** The tests address memory as [ebx] or [ebx+disp8] only. */
function operandDisp(modrm: number, code: Uint8Array, p: number): number {
  if ((modrm & 7) !== 3 || modrm >>> 6 > 1) throw new Error(`unit harness: unsupported ModRM ${modrm.toString(16)}`);
  return modrm >>> 6 === 1 ? (code[p]! << 24) >> 24 : 0;
}

/** What the oracle reports for SIGFPE: the state with tags abridged to empty (3) or in use (0). */
function faultOutcome(u: X87Unit): X87Outcome {
  const state = stateOf(u);
  let ftw = 0;
  for (let r = 0; r < 8; r++) ftw |= ((u.s.used >>> r) & 1 ? 0 : 3) << (2 * r);
  state.ftw = ftw;
  return { state, eax: 0, eflags: 0, mem: null, fault: 8 };
}

const hex = (v: number, w: number): string => (v >>> 0).toString(16).padStart(w, '0');

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Differences between two outcomes, one line each (empty when equal). */
export function diffOutcomes(want: X87Outcome, got: X87Outcome): string[] {
  const d: string[] = [];
  if ((want.fault ?? 0) !== (got.fault ?? 0)) d.push(`fault ${want.fault ?? '-'} vs ${got.fault ?? '-'}`);
  const a = want.state;
  const b = got.state;
  for (const k of ['fcw', 'fsw', 'ftw', 'fip', 'fcs', 'fop', 'fdp', 'fds'] as const) {
    // At a fault the oracle's image is the kernel's 64-bit FXSAVE, whose FCS/FDS slots hold FIP/FDP bits 47..32.
    if (want.fault && (k === 'fcs' || k === 'fds')) continue;
    if (a[k] !== b[k]) d.push(`${k} ${hex(a[k], 4)} vs ${hex(b[k], 4)}`);
  }
  for (let i = 0; i < 8; i++) {
    const x = [a.st[3 * i]!, a.st[3 * i + 1]!, a.st[3 * i + 2]!];
    const y = [b.st[3 * i]!, b.st[3 * i + 1]!, b.st[3 * i + 2]!];
    if (x.some((v, j) => v !== y[j])) {
      d.push(`st${i} ${hex(x[0]!, 4)}:${hex(x[1]!, 8)}${hex(x[2]!, 8)} vs ${hex(y[0]!, 4)}:${hex(y[1]!, 8)}${hex(y[2]!, 8)}`);
    }
  }
  if (!want.fault) {
    if (want.eax !== got.eax) d.push(`eax ${hex(want.eax, 8)} vs ${hex(got.eax, 8)}`);
    if (want.eflags !== got.eflags) d.push(`eflags ${hex(want.eflags, 3)} vs ${hex(got.eflags, 3)}`);
    if (!sameBytes(want.mem, got.mem)) {
      const hexOf = (m: Uint8Array | null): string => (m ? Buffer.from(m).toString('hex') : '-');
      d.push(`mem ${hexOf(want.mem)} vs ${hexOf(got.mem)}`);
    }
  }
  return d;
}
