/**
 * The helper every tool-dependent suite asks (external-tools.ts): a tool is
 * found by searching PATH for an executable file, a missing one gives one
 * line naming its Debian package, and that line is recorded for .ci/run
 * when BTVM_MISSING_TOOLS names a file. The PATH here is a scratch
 * directory, as on a fresh machine that has none of the tools.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { debianPackages, haveTool, MISSING_TOOLS_ENV, toolsFor } from './external-tools.js';

const savedPath = process.env.PATH;
const savedRecord = process.env[MISSING_TOOLS_ENV];
afterEach(() => {
  process.env.PATH = savedPath;
  if (savedRecord === undefined) delete process.env[MISSING_TOOLS_ENV];
  else process.env[MISSING_TOOLS_ENV] = savedRecord;
  vi.restoreAllMocks();
});

describe('external tools', () => {
  it('finds an executable file on PATH, not a directory or a file without the x bit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'btvm-tools-'));
    writeFileSync(join(dir, 'nasm'), '#!/bin/sh\n');
    chmodSync(join(dir, 'nasm'), 0o755);
    writeFileSync(join(dir, 'objdump'), '');
    chmodSync(join(dir, 'objdump'), 0o644);
    mkdirSync(join(dir, 'gdb'));
    process.env.PATH = `${join(dir, 'absent')}:${dir}`;
    expect([haveTool('nasm'), haveTool('objdump'), haveTool('gdb')]).toEqual([true, false, false]);
  });

  it('a suite missing tools prints one line naming the Debian packages and records it; a suite with them prints nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'btvm-tools-'));
    const record = join(dir, 'missing.txt');
    process.env.PATH = dir;
    process.env[MISSING_TOOLS_ENV] = record;
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(toolsFor('some suite', 'qemu-system-i386', 'ld', 'readelf')).toBe(false);
    const line = 'some suite skipped: install the Debian packages qemu-system-x86 binutils (missing: qemu-system-i386, ld, readelf)';
    expect(log.mock.calls).toEqual([[line]]);
    expect(readFileSync(record, 'utf8')).toBe(line + '\n');
    expect(toolsFor('no tools needed')).toBe(true);
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('names each package once', () => {
    expect(debianPackages(['objdump', 'ld', 'nasm', 'readelf'])).toEqual(['binutils', 'nasm']);
  });
});
