/**
 * How alike two texts are, line by line, from 0 to 1: twice the lines they
 * share (as multisets, blank lines ignored) over the lines of both, the
 * measure behind git's "similarity index" in spirit.
 */
export function lineSimilarity(before: string, after: string): number {
  const lines = (text: string) =>
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
  const a = lines(before);
  const b = lines(after);
  if (a.length + b.length === 0) return 1;
  const counts = new Map<string, number>();
  for (const line of a) counts.set(line, (counts.get(line) ?? 0) + 1);
  let shared = 0;
  for (const line of b) {
    const left = counts.get(line) ?? 0;
    if (left > 0) {
      shared += 1;
      counts.set(line, left - 1);
    }
  }
  return (2 * shared) / (a.length + b.length);
}

/** Git's default rename threshold. */
export const RENAME_SIMILARITY = 0.5;
