/**
 * Snippets → machine code with nasm, an encoder nobody in this project wrote.
 *
 * All snippets of a batch go into one source file (nasm starts in a few ms
 * but a file per snippet would cost that thousands of times); each snippet
 * is opened by a non-local label `s<i>`, so `.name` labels inside it are
 * local to it, and the macro CASE_START names that label so a snippet can
 * form absolute addresses for code loaded at CODE_BASE:
 * `mov eax, .target - CASE_START + 0x20000000`. A table of start/end offsets
 * after the last snippet splits the flat binary again. Lines are separated
 * by newlines or ';' (nasm comments are therefore not available).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { haveTool } from './external-tools.js';

export const haveNasm = (): boolean => haveTool('nasm');

/** nasm refused a line; names the snippet it belongs to. */
export class SnippetAssemblyError extends Error {
  override readonly name = 'SnippetAssemblyError';
  constructor(readonly snippetIndex: number, readonly snippet: string, readonly nasmMessage: string) {
    super(`nasm failed on snippet ${snippetIndex}: ${nasmMessage}\n--- snippet ---\n${snippet}`);
  }
}

interface Source {
  readonly text: string;
  /** Source line (1-based) → snippet index, for error messages. */
  readonly lineOwner: Int32Array;
  readonly lines: readonly string[];
}

function buildSource(snippets: readonly string[]): Source {
  const out: string[] = ['bits 32'];
  const owner: number[] = [-1];
  snippets.forEach((s, i) => {
    out.push(`s${i}:`, `%define CASE_START s${i}`);
    owner.push(i, i);
    for (const l of s.split(/[;\n]/)) {
      const t = l.trim();
      if (t) { out.push(t); owner.push(i); }
    }
    out.push(`e${i}:`);
    owner.push(i);
  });
  out.push('align 4, db 0');
  snippets.forEach((_, i) => out.push(`dd s${i} - $$, e${i} - $$`));
  return { text: out.join('\n') + '\n', lineOwner: Int32Array.from(owner), lines: out };
}

function split(bin: Uint8Array, n: number): Uint8Array[] {
  const table = new DataView(bin.buffer, bin.byteOffset + bin.length - 8 * n, 8 * n);
  const res: Uint8Array[] = [];
  for (let i = 0; i < n; i++) res.push(bin.slice(table.getUint32(8 * i, true), table.getUint32(8 * i + 4, true)));
  return res;
}

function nasmError(stderr: string, src: Source, snippets: readonly string[]): Error {
  const m = /:(\d+): (?:error|fatal): (.*)/.exec(stderr);
  if (m) {
    const i = src.lineOwner[Number(m[1]) - 1] ?? -1;
    if (i >= 0) return new SnippetAssemblyError(i, snippets[i]!, `${m[2]!} in '${src.lines[Number(m[1]) - 1]}'`);
  }
  return new Error(`nasm failed: ${stderr.slice(0, 2000)}`);
}

/** Assemble every snippet as 32-bit code in one nasm run; returns each snippet's bytes. */
export function assembleSnippets(snippets: readonly string[]): Uint8Array[] {
  if (snippets.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'btvm-nasm-'));
  const src = buildSource(snippets);
  try {
    writeFileSync(join(dir, 'c.asm'), src.text);
    try {
      execFileSync('nasm', ['-O1', '-w-all', '-f', 'bin', '-o', join(dir, 'c.bin'), join(dir, 'c.asm')], { stdio: 'pipe' });
    } catch (e) {
      throw nasmError(String((e as { stderr?: Buffer }).stderr ?? e), src, snippets);
    }
    return split(new Uint8Array(readFileSync(join(dir, 'c.bin'))), snippets.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assembleAsync(snippets: readonly string[]): Promise<Uint8Array[]> {
  if (snippets.length === 0) return Promise.resolve([]);
  const dir = mkdtempSync(join(tmpdir(), 'btvm-nasm-'));
  const src = buildSource(snippets);
  writeFileSync(join(dir, 'c.asm'), src.text);
  return new Promise<Uint8Array[]>((resolve, reject) => {
    execFile('nasm', ['-O1', '-w-all', '-f', 'bin', '-o', join(dir, 'c.bin'), join(dir, 'c.asm')], (err, _out, stderr) => {
      try {
        if (err) reject(nasmError(stderr, src, snippets));
        else resolve(split(new Uint8Array(readFileSync(join(dir, 'c.bin'))), snippets.length));
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** Same as assembleSnippets, spread over `processes` nasm runs at once (nasm is single-threaded). */
export async function assembleSnippetsParallel(snippets: readonly string[], processes = 2): Promise<Uint8Array[]> {
  const per = Math.ceil(snippets.length / Math.max(1, processes));
  const chunks: Promise<Uint8Array[]>[] = [];
  for (let at = 0; at < snippets.length; at += per) {
    const from = at;
    chunks.push(assembleAsync(snippets.slice(at, at + per)).catch((e: unknown) => {
      if (e instanceof SnippetAssemblyError) throw new SnippetAssemblyError(e.snippetIndex + from, e.snippet, e.nasmMessage);
      throw e;
    }));
  }
  return (await Promise.all(chunks)).flat();
}
