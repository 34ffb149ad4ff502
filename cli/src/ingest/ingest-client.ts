import {
  type AttachmentContentType,
  type AttachmentResult,
  attachmentResultSchema,
  type JobView,
  jobViewSchema,
  MAX_JOB_WAIT_SECONDS,
  type PageIngestBodyInput,
  type PublishedPage,
  pageIngestAcceptedSchema,
  problemSchema,
  publishedPageSchema,
  type TreePage,
  treePageListSchema,
} from '@pagewire/shared';
import type { z } from 'zod';

/**
 * The ingest API as the CLI uses it: one function per call, every answer
 * validated against the contract in `@pagewire/shared`, every failure an
 * `IngestError` with the problem's stable `code`.
 */
export interface IngestClient {
  readonly backendUrl: string;
  readonly key: string;
  readonly fetch: typeof fetch;
}

export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** 429 and 503 are answered before the backend acts, so the same request is sent again after `Retry-After`. */
const RETRIED_STATUSES = new Set([429, 503]);
const MAX_ATTEMPTS = 5;

async function call<T>(
  client: IngestClient,
  method: string,
  path: string,
  schema: z.ZodType<T>,
  init: { body?: RequestInit['body']; contentType?: string } = {},
): Promise<{ status: number; value: T }> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await client.fetch(`${client.backendUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${client.key}`,
          ...(init.contentType === undefined ? {} : { 'content-type': init.contentType }),
        },
        ...(init.body === undefined ? {} : { body: init.body }),
      });
    } catch (error) {
      throw new IngestError(
        0,
        'backend_unreachable',
        `${client.backendUrl} did not answer: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    if (RETRIED_STATUSES.has(response.status) && attempt < MAX_ATTEMPTS) {
      const seconds = Number(response.headers.get('retry-after') ?? '1');
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(30, Number.isFinite(seconds) ? seconds : 1) * 1000),
      );
      continue;
    }
    if (response.status >= 400) throw problemFrom(response.status, text);
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new IngestError(
        response.status,
        'unexpected_answer',
        `${method} ${path} answered a body the contract does not allow`,
      );
    }
    return { status: response.status, value: parsed.data };
  }
}

function problemFrom(status: number, text: string): IngestError {
  try {
    const problem = problemSchema.safeParse(JSON.parse(text));
    if (problem.success) {
      const fields = problem.data.errors?.map((error) => `${error.path} ${error.message}`).join('; ');
      return new IngestError(
        status,
        problem.data.code,
        fields ? `${problem.data.detail} (${fields})` : problem.data.detail,
      );
    }
    const loose = JSON.parse(text) as { code?: unknown; detail?: unknown };
    if (typeof loose.code === 'string' && typeof loose.detail === 'string') {
      return new IngestError(status, loose.code, loose.detail);
    }
  } catch {
    // not JSON: fall through to the status
  }
  return new IngestError(status, `http_${status}`, `the backend answered ${status}`);
}

export async function putPage(
  client: IngestClient,
  externalId: string,
  body: PageIngestBodyInput,
): Promise<string> {
  const { value } = await call(client, 'PUT', `/ingest/v1/pages/${externalId}`, pageIngestAcceptedSchema, {
    body: JSON.stringify(body),
    contentType: 'application/json',
  });
  return value.jobId;
}

export async function putAttachment(
  client: IngestClient,
  externalId: string,
  name: string,
  contentType: AttachmentContentType,
  bytes: Uint8Array,
): Promise<AttachmentResult> {
  const path = `/ingest/v1/pages/${externalId}/attachments/${encodeURIComponent(name)}`;
  const { value } = await call(client, 'PUT', path, attachmentResultSchema, {
    body: bytes as unknown as RequestInit['body'],
    contentType,
  });
  return value;
}

export async function archivePage(
  client: IngestClient,
  externalId: string,
  dryRun: boolean,
): Promise<string> {
  const { value } = await call(
    client,
    'POST',
    `/ingest/v1/pages/${externalId}/archive`,
    pageIngestAcceptedSchema,
    {
      body: JSON.stringify({ dryRun }),
      contentType: 'application/json',
    },
  );
  return value.jobId;
}

/** One long poll: the backend holds the answer until the job ends or `waitSeconds` pass. */
export async function getJob(
  client: IngestClient,
  jobId: string,
  waitSeconds = MAX_JOB_WAIT_SECONDS,
): Promise<JobView> {
  const { value } = await call(client, 'GET', `/ingest/v1/jobs/${jobId}?wait=${waitSeconds}`, jobViewSchema);
  return value;
}

/** Every page of the tree the backend knows (current and archived), all listing pages read. */
export async function listTreePages(client: IngestClient, tree: string): Promise<TreePage[]> {
  const pages: TreePage[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`;
    const { value } = await call(client, 'GET', `/ingest/v1/trees/${tree}/pages${query}`, treePageListSchema);
    pages.push(...value.pages);
    cursor = value.nextCursor;
  } while (cursor !== null);
  return pages;
}

/** The page an external id is published as, with its last job (a re-publish the backend queued shows here). */
export async function getPublishedPage(client: IngestClient, externalId: string): Promise<PublishedPage> {
  const { value } = await call(client, 'GET', `/ingest/v1/pages/${externalId}`, publishedPageSchema);
  return value;
}
