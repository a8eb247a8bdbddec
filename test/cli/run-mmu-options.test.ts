/**
 * `btvm run --mmu shadow|nested` and `--scatter-memory[=SEED]`: parsed into
 * the machine options, bad values are one-line usage errors (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { parseRunArgs, runCommand } from '../../src/cli/commands/run.js';

const HELLO = 'fixtures/kernels/hello.elf';

describe('--mmu and --scatter-memory', () => {
  it('default to shadow paging on an identity machine map', () => {
    const p = parseRunArgs([HELLO]);
    expect(p).toMatchObject({ mmu: 'shadow' });
    expect(p !== 'help' && p !== 'debug-help' ? p.scatterSeed : 'not parsed').toBeUndefined();
  });

  it('take nested, and a seed (1 when none is given)', () => {
    expect(parseRunArgs([HELLO, '--mmu', 'nested'])).toMatchObject({ mmu: 'nested' });
    expect(parseRunArgs([HELLO, '--mmu=shadow', '--scatter-memory'])).toMatchObject({ mmu: 'shadow', scatterSeed: 1 });
    expect(parseRunArgs([HELLO, '--scatter-memory=99'])).toMatchObject({ scatterSeed: 99 });
  });

  it('reject anything else with a usage error', async () => {
    for (const bad of [['--mmu', 'ept'], ['--mmu'], ['--scatter-memory=x']]) {
      let err = '';
      const status = await runCommand([HELLO, ...bad], { io: { stdout: () => {}, stderr: (t) => void (err += t) } });
      expect(status).toBe(2);
      expect(err.split('\n').filter((l) => l !== '')).toHaveLength(1);
    }
  });
});
