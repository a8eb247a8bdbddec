/**
 * Loader for raw binary images: copy the bytes to a physical address and
 * start there.
 *
 * Used for hand-assembled test programs (nasm -f bin) and anything else
 * without a container format. The CPU starts in the same flat 32-bit
 * protected mode a Multiboot kernel gets (boot-state.ts), with all general
 * registers zero except ESP.
 */
import { PhysicalMemory } from '../memory/physical-memory.js';
import { flatProtectedMode, type BootState } from './boot-state.js';
import { LoadError } from './load-error.js';

export function loadFlat(mem: PhysicalMemory, bytes: Uint8Array, loadAddress: number, entry: number): BootState {
  if (!mem.contains(loadAddress, bytes.length)) {
    throw new LoadError(
      'outside-ram',
      `image of ${bytes.length} bytes at 0x${loadAddress.toString(16)} does not fit in guest RAM of 0x${mem.size.toString(16)} bytes`,
      { address: loadAddress, length: bytes.length },
    );
  }
  mem.load(loadAddress, bytes);
  return flatProtectedMode(entry);
}
