/**
 * Translation-cache lookup costs: the direct-mapped fast table (what an
 * indirect exit pays), the full lookup through the bucket map (what a
 * dispatch after a mode change pays), and a miss.
 */
import b from 'benny';
import { CompiledRegion } from '../src/cache/compiled-region.js';
import { TranslationCache } from '../src/cache/translation-cache.js';
import { reportPerOp } from './micro-setup.js';

const cache = new TranslationCache();
const N = 4000;
const addrs: number[] = [];
for (let i = 0; i < N; i++) {
  const a = 0x100000 + i * 0x40;
  addrs.push(a);
  cache.insert(new CompiledRegion(a, a, 0x17, [a, a + 16], [], 4, 16, 1, ''));
}
// Collide every slot of the fast table once so `lookup` has to use the map half of the time.
const far = addrs.map((a) => a + (1 << 24));
far.forEach((a) => cache.insert(new CompiledRegion(a, a, 0x17, [a, a + 16], [], 4, 16, 1, '')));

let sink = 0;
void b.suite(
  'cache lookup',
  b.add('fastLookup hit', () => {
    for (let i = 0; i < 1000; i++) {
      const a = far[i & 1023]!;
      if (cache.fastLookup(a, a, 0x17) !== null) sink++;
    }
  }, { maxTime: 1 }),
  b.add('lookup (fast table or map)', () => {
    for (let i = 0; i < 1000; i++) {
      const a = (i & 1 ? addrs : far)[(i * 7) % N]!;
      if (cache.lookup(a, a, 0x17) !== null) sink++;
    }
  }, { maxTime: 1 }),
  b.add('lookup miss', () => {
    for (let i = 0; i < 1000; i++) if (cache.lookup(0x90000000 + i * 64, 0x90000000 + i * 64, 0x17) === null) sink++;
  }, { maxTime: 1 }),
  b.complete(reportPerOp('cache', 1000, 'lookup')),
);
process.on('exit', () => void sink);
