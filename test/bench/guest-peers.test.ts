/**
 * The guest benchmark's peers (bench/guests/peers.ts) start the real
 * command: btvm's peer runs the entry package.json installs as `btvm`
 * (dist/src/cli/bin.js), not a module that only defines the CLI and runs
 * nothing — which would make btvm look infinitely fast, or broken, in
 * every comparison.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PEERS } from '../../bench/guests/peers.js';
import { btvmMain as nanoBtvmMain } from '../../bench/nano/peers.js';

const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { bin: { btvm: string } };
const guest = { name: 'k', kernel: '/k.elf', native: null, expected: null };

describe('guest benchmark peers', () => {
  it('btvm runs the installed command entry with the kernel', () => {
    const btvm = PEERS.find((p) => p.name === 'btvm')!.command(guest)!;
    expect(btvm.args[0]!.endsWith(`/${pkg.bin.btvm}`)).toBe(true);
    expect(btvm.args.slice(1)).toEqual(['run', '/k.elf']);
  });

  it('the nanobenchmarks run the same entry', () => {
    expect(nanoBtvmMain.endsWith(`/${pkg.bin.btvm}`)).toBe(true);
  });
});
