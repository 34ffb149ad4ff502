import { Writable } from 'node:stream';

/** A writable that keeps every log line, so tests can read (and grep) what the backend logged. */
export interface LogCapture {
  readonly stream: Writable;
  text(): string;
  lines(): Array<Record<string, unknown>>;
}

export function createLogCapture(): LogCapture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    stream,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
