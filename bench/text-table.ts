/**
 * The bench reports' plain-text tables: a header, a rule, and rows whose
 * first column is left-aligned and the others right-aligned (numbers), each
 * column as wide as its widest cell.
 */
export function formatColumns(head: readonly string[], rows: readonly (readonly string[])[], gap = '  '): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(gap).trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join(gap), ...rows.map(line)];
}

/** Milliseconds as seconds with three decimals; a dash for no time. */
export const fmtSeconds = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(3) : '—');
/** A ratio as 1.52×; a dash where either side had no time. */
export const fmtRatio = (r: number): string => (Number.isFinite(r) ? r.toFixed(2) + '×' : '—');
