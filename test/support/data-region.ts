/**
 * The harness's seeded data region and its checksum (fixtures/README.md:
 * "Data region fill" and CHECKSUM), so btvm's side of a differential test
 * starts from the same 64 KiB and reports the same FNV-1a hash.
 *
 * Filling costs a 16 K-step xorshift; tests reuse a handful of seeds across
 * thousands of cases, so pristine images are cached per seed and copied in.
 */
import { DATA_SIZE } from './harness-protocol.js';
import { xorshift32 } from './xorshift32.js';

const pristine = new Map<number, Uint8Array>();
const MAX_CACHED = 64;

/** The 64 KiB image for `seed`: words of xorshift32 from `seed | 1`, little-endian. */
export function dataImage(seed: number): Uint8Array {
  const key = seed >>> 0;
  let img = pristine.get(key);
  if (img !== undefined) return img;
  img = new Uint8Array(DATA_SIZE);
  const w = new DataView(img.buffer);
  const next = xorshift32(key | 1);
  for (let i = 0; i < DATA_SIZE; i += 4) w.setUint32(i, next(), true);
  if (pristine.size >= MAX_CACHED) pristine.delete(pristine.keys().next().value!);
  pristine.set(key, img);
  return img;
}

/** Write the image for `seed` into `bytes` at `offset`. */
export function fillDataRegion(bytes: Uint8Array, offset: number, seed: number): void {
  bytes.set(dataImage(seed), offset);
}

/** FNV-1a 32 over bytes[from, from+length): h = (h ^ b) * 0x01000193. */
export function fnv1a(bytes: Uint8Array, from: number, length: number): number {
  let h = 0x811c9dc5 | 0;
  const end = from + length;
  for (let i = from; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}
