/**
 * bench/guests/progress.ts: the terminal progress bar survives steps past
 * its planned total (the nanobenchmark's retries), which once ended
 * `npm run bench` with "RangeError: Invalid count value: -1".
 */
import { describe, expect, it } from 'vitest';
import { Progress, progressLine } from '../../bench/guests/progress.js';

describe('Progress', () => {
  it('keeps drawing when the steps run past the planned total', () => {
    const lines: string[] = [];
    const p = new Progress(3, { isTTY: true, write: (t: string) => void lines.push(t) });
    for (let i = 0; i < 8; i++) p.step(`step ${i}`);
    p.finish();
    expect(lines).toHaveLength(9);
    expect(lines[2]).toContain(`[${'#'.repeat(30)}] 3/3 step 2`);
    expect(lines[7]).toContain(`[${'#'.repeat(30)}] 8/8 step 7`);
  });

  it('fills in proportion before the total, and draws nothing off a terminal', () => {
    expect(progressLine(1, 2, 'x')).toContain(`[${'#'.repeat(15)}${'.'.repeat(15)}] 1/2 x`);
    const lines: string[] = [];
    const p = new Progress(1, { isTTY: false, write: (t: string) => void lines.push(t) });
    p.step('a');
    p.step('b');
    p.finish();
    expect(lines).toEqual([]);
  });
});
