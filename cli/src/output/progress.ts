/**
 * Progress while the jobs run: a bar redrawn in place on a terminal, nothing
 * in CI or when stdout is JSON (the per-file lines at the end are the record).
 */
export interface Progress {
  update(done: number, total: number, what: string): void;
  finish(): void;
}

export function createProgress(
  stream: { isTTY?: boolean; columns?: number; write(text: string): unknown },
  enabled: boolean,
): Progress {
  if (!enabled || stream.isTTY !== true) return { update() {}, finish() {} };
  let drawn = false;
  return {
    update(done, total, what) {
      const width = 24;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${what}`;
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 80) - 1)}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
