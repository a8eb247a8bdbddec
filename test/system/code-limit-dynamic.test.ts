/**
 * The dynamic form of the code-limit field end to end: once a process has
 * interned more distinct CS limits than the mode word has room for
 * (src/state/code-limit.ts), translations read CS's limit at run time and
 * compare at every instruction and branch. This file fills the table first
 * (vitest gives each test file its own module instances), so codelimit.elf's
 * segments all run in that form, and must still print what the host CPU
 * printed (codelimit_native.expected), line for line.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { CODE_LIMIT_DYNAMIC, codeLimitField } from '../../src/state/code-limit.js';
import { MODE_CODE_LIMIT, MODE_CODE_LIMIT_SHIFT } from '../../src/state/mode.js';
import { root } from './mmu-run.js';

const elf = join(root, 'fixtures/system/codelimit.elf');
const silicon = readFileSync(join(root, 'fixtures/system/codelimit_native.expected'), 'latin1');

describe('codelimit.elf with the code-limit table full (dynamic checks)', () => {
  it('prints codelimit_native.expected line for line', async () => {
    // Limits no segment of the kernel has (its are 0xfff and 4 GiB): 0x10000fff, 0x10001fff, ...
    for (let i = 0; codeLimitField((0x10000fff + (i << 12)) >>> 0) !== CODE_LIMIT_DYNAMIC; i++);
    expect(codeLimitField(0xfff)).toBe(CODE_LIMIT_DYNAMIC);
    const out: Uint8Array[] = [];
    let stderr = '';
    const log = join(mkdtempSync(join(tmpdir(), 'btvm-codelimit-')), 'exec.log');
    const status = await runCommand([elf, '--icount', '--max-insns', '10000000', '-d', 'exec', '-D', log], {
      io: { stdout: (b) => out.push(b), stderr: (t) => void (stderr += t) },
    });
    expect(Buffer.concat(out).toString('latin1').split('\n')).toEqual(silicon.split('\n'));
    expect({ status, stderr }).toEqual({ status: 1, stderr: '' });
    // Regions in the probe segment ran under the dynamic field (and none under an interned limit).
    const fields = new Set([...readFileSync(log, 'latin1').matchAll(/mode=0x([0-9a-f]+)/g)]
      .map((m) => (parseInt(m[1]!, 16) & MODE_CODE_LIMIT) >>> MODE_CODE_LIMIT_SHIFT));
    expect([...fields].sort((a, b) => a - b)).toEqual([0, CODE_LIMIT_DYNAMIC]);
  }, 30_000);
});
