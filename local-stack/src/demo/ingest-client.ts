import type { BlockPayloadInput, IngestBlockResult, PageIngestBodyInput, Problem } from '@pagewire/shared';

/**
 * The demo source talks to the backend exactly as a team's CI or monitor
 * would: `PUT /ingest/v1/…` with `Authorization: Bearer <ingest key>`.
 */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
    what: string,
  ) {
    super(
      `${what} failed: HTTP ${status}${problem?.code ? ` ${problem.code}` : ''}${problem?.detail ? ` (${problem.detail})` : ''}`,
    );
  }
}

export function isIngestError(error: unknown): error is IngestError {
  return error instanceof IngestError;
}

async function send<T>(url: string, method: string, key: string, body: unknown, what: string): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) {
    let problem: Partial<Problem> | undefined;
    try {
      problem = JSON.parse(text) as Partial<Problem>;
    } catch {
      problem = undefined;
    }
    throw new IngestError(response.status, problem, what);
  }
  return JSON.parse(text) as T;
}

export function pushBlock(
  backendUrl: string,
  key: string,
  blockKey: string,
  block: BlockPayloadInput,
): Promise<IngestBlockResult> {
  return send(
    `${backendUrl}/ingest/v1/blocks/${encodeURIComponent(blockKey)}`,
    'PUT',
    key,
    block,
    `pushing block "${blockKey}"`,
  );
}

export function publishPage(
  backendUrl: string,
  key: string,
  externalId: string,
  page: PageIngestBodyInput,
): Promise<{ jobId: string }> {
  return send(
    `${backendUrl}/ingest/v1/pages/${encodeURIComponent(externalId)}`,
    'PUT',
    key,
    page,
    `publishing page "${externalId}"`,
  );
}

export function readJob(
  backendUrl: string,
  key: string,
  jobId: string,
): Promise<{ state: string; pageId?: string }> {
  return send(
    `${backendUrl}/ingest/v1/jobs/${encodeURIComponent(jobId)}`,
    'GET',
    key,
    undefined,
    `reading job ${jobId}`,
  );
}

/** The one-line command the CLI prints, and the browser test runs, to push a block. */
export function curlCommand(
  backendUrl: string,
  key: string,
  blockKey: string,
  block: BlockPayloadInput,
): string {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  return [
    'curl -sS -X PUT',
    quote(`${backendUrl}/ingest/v1/blocks/${blockKey}`),
    '-H',
    quote(`Authorization: Bearer ${key}`),
    '-H',
    quote('Content-Type: application/json'),
    '-d',
    quote(JSON.stringify(block)),
  ].join(' ');
}
