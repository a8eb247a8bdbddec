/**
 * The code-limit field of the mode word (mode.ts): what a translation must
 * assume about CS's limit, so that code fetch and near branch targets are
 * checked as the CPU checks them (SDM vol. 3 §5.3; JMP, Jcc, CALL, RET,
 * LOOP pseudo-code) at translation time wherever the target is static.
 *
 * The cache keys translations by (entry, mode word), so a translation that
 * bakes a limit in may only ever run under that limit: the limit must be in
 * the key. A 32-bit limit does not fit the word's free bits, so limits are
 * interned — each distinct CS limit below 4 GiB seen in this process gets
 * a small index, and the field holds it:
 *
 *   0                    CS spans 4 GiB: no check at all (every flat guest);
 *   1 .. LAST_INTERNED   that interned limit: an instruction wholly inside
 *                        costs nothing, one reaching beyond it is a raise,
 *                        a static target beyond it a raise at the branch,
 *                        and only computed targets (ret, jmp r/m) compare;
 *   CODE_LIMIT_DYNAMIC   more distinct limits than indices: the translation
 *                        reads the limit from CS's window slots (first +
 *                        span = limit + 1, segment-access.ts) and compares
 *                        at every instruction and branch, valid under any
 *                        limit — correct, and slower. Measured on qsort
 *                        with CS's limit forced to 0xfffffffe (whole-process
 *                        CPU, medians of 7 A/B pairs against the flat run):
 *                        dynamic 1.66x, interned 1.04x (only ret's compares).
 *
 * The table only grows and maps index to limit one-to-one for the whole
 * process, so translations of any machine agree on what an index means.
 */

/** Width of the field in the mode word. */
export const CODE_LIMIT_BITS = 7;
/** The field's value when the translation reads the limit at run time. */
export const CODE_LIMIT_DYNAMIC = (1 << CODE_LIMIT_BITS) - 1;
const LAST_INTERNED = CODE_LIMIT_DYNAMIC - 1;

/** Interned limits by index (index 0 unused: no limit). */
const limits: number[] = [0xffffffff];
const indexOf = new Map<number, number>();
// One guest rarely changes CS's limit: remember the last answer.
let lastLimit = -1, lastIndex = 0;

/** The field for a CS limit below 4 GiB (unsigned). */
export function codeLimitField(limit: number): number {
  if (limit === lastLimit) return lastIndex;
  let index = indexOf.get(limit);
  if (index === undefined) {
    if (limits.length > LAST_INTERNED) return CODE_LIMIT_DYNAMIC;
    index = limits.length;
    limits.push(limit);
    indexOf.set(limit, index);
  }
  lastLimit = limit;
  lastIndex = index;
  return index;
}

/** The limit a field stands for: the unsigned limit, or -1 for none (0) and for the dynamic field. */
export function codeLimitOfField(field: number): number {
  if (field === 0 || field === CODE_LIMIT_DYNAMIC) return -1;
  const limit = limits[field];
  if (limit === undefined) throw new RangeError(`code-limit field ${field} was never interned`);
  return limit;
}
