import { createHash } from 'node:crypto';
import {
  attachmentContentTypeSchema,
  type JobView,
  PAGE_LINK_PREFIX,
  type PageIngestBody,
  pageIngestBodySchema,
  type TreePage,
} from '@pagewire/shared';
import { collectUrls, parseMarkdown } from '../source/markdown-source';

/**
 * The ingest API in memory, as a `fetch`: the page, attachment, archive, job
 * and tree routes of the contract in `@pagewire/shared`, with jobs that end
 * at once. Unit tests of the CLI run against it; the integration test runs
 * against the real backend and the devkit.
 */
export interface FakeIngest {
  readonly fetch: typeof fetch;
  readonly backendUrl: string;
  readonly key: string;
  /** Every request, as `METHOD path` (query dropped). */
  readonly requests: string[];
  /** What each page was last sent as, by external id. */
  readonly bodies: Map<string, PageIngestBody>;
  readonly attachments: Map<string, { contentType: string; sha256: string }>;
  readonly pages: Map<string, TreePage>;
  /** A person edits the page in Confluence: the next publish without `overwrite` is skipped. */
  humanEdit(externalId: string): void;
  /** Make the next publish of this page fail with this code. */
  failNext(externalId: string, code: string): void;
}

const SITE = 'https://acme.atlassian.net';

export function createFakeIngest(options: { spaceKey?: string; pageSize?: number } = {}): FakeIngest {
  const spaceKey = options.spaceKey ?? 'ENG';
  const pageSize = options.pageSize ?? 2;
  const key = `pwk_${'a'.repeat(43)}`;
  const requests: string[] = [];
  const bodies = new Map<string, PageIngestBody>();
  const attachments = new Map<string, { contentType: string; sha256: string }>();
  const pages = new Map<string, TreePage>();
  const jobs = new Map<string, JobView>();
  const edited = new Set<string>();
  const failures = new Map<string, string>();
  /** Pages with an attachment uploaded since their last publish (a new image is a new body). */
  const freshImages = new Set<string>();
  /** Target external id → pages whose links wait for it (the backend re-publishes them once it exists). */
  const waitingLinks = new Map<string, Set<string>>();
  let nextPageId = 1000;
  let nextJob = 1;

  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const problem = (status: number, code: string, detail: string) =>
    new Response(
      JSON.stringify({ type: `urn:pagewire:problem:${code}`, title: code, status, code, detail }),
      {
        status,
        headers: { 'content-type': 'application/problem+json' },
      },
    );
  const job = (externalId: string, fields: Partial<JobView>): JobView => {
    const now = new Date().toISOString();
    const view: JobView = {
      id: `job-${nextJob++}`,
      externalId,
      state: 'published',
      attempts: 1,
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
    jobs.set(view.id, view);
    return view;
  };

  function publish(externalId: string, body: PageIngestBody): JobView {
    const existing = pages.get(externalId);
    const failure = failures.get(externalId);
    if (failure !== undefined) {
      failures.delete(externalId);
      return job(externalId, {
        state: 'failed',
        error: { code: failure, detail: `made to fail: ${failure}` },
      });
    }
    if (body.parentExternalId !== undefined && !pages.has(body.parentExternalId)) {
      return job(externalId, {
        state: 'failed',
        error: { code: 'parent_not_found', detail: `no page ${body.parentExternalId}` },
      });
    }
    const previous = bodies.get(externalId);
    const sameContent =
      previous !== undefined &&
      previous.markdown === body.markdown &&
      previous.title === body.title &&
      !freshImages.has(externalId);
    const onlyParent = sameContent && previous.parentExternalId !== body.parentExternalId;
    const action =
      existing === undefined
        ? 'create'
        : edited.has(externalId) && body.onHumanEdit === 'skip'
          ? 'skip'
          : onlyParent
            ? 'move'
            : sameContent
              ? 'unchanged'
              : 'update';
    if (body.dryRun) return job(externalId, { state: 'planned', dryRun: true, plan: { action } });
    if (action === 'skip') {
      return job(externalId, {
        state: 'skipped_human_edit',
        pageId: existing!.pageId!,
        humanEdit: { by: 'Ana', at: new Date().toISOString(), version: 2 },
      });
    }
    edited.delete(externalId);
    freshImages.delete(externalId);
    bodies.set(externalId, body);
    const pageId = existing?.pageId ?? String(nextPageId++);
    const pageUrl = `${SITE}/wiki/spaces/${spaceKey}/pages/${pageId}`;
    const missing = collectUrls(parseMarkdown(body.markdown ?? ''))
      .links.map((site) => site.url)
      .filter((url) => url.startsWith(PAGE_LINK_PREFIX))
      .map((url) => url.slice(PAGE_LINK_PREFIX.length).split('#')[0]!)
      .filter((target) => !pages.has(target) && target !== externalId);
    for (const target of missing)
      waitingLinks.set(target, (waitingLinks.get(target) ?? new Set()).add(externalId));
    const view = job(externalId, {
      state: action === 'unchanged' ? 'unchanged' : 'published',
      pageId,
      pageUrl,
      ...(action === 'unchanged'
        ? {}
        : { written: action === 'create' ? 'created' : action === 'move' ? 'moved' : 'updated' }),
      ...(missing.length === 0
        ? {}
        : { warnings: [{ code: 'link_target_pending', detail: `waits for ${missing.join(', ')}` }] }),
    });
    pages.set(externalId, {
      externalId,
      origin: body.origin!,
      title: body.title,
      parentExternalId: body.parentExternalId ?? null,
      pageId,
      pageUrl,
      status: 'current',
      updatedAt: new Date().toISOString(),
      lastJob: view,
    });
    republishWaiters(externalId);
    return view;
  }

  function republishWaiters(target: string): void {
    for (const waiter of waitingLinks.get(target) ?? []) {
      const page = pages.get(waiter);
      if (page === undefined) continue;
      const stillMissing = [...waitingLinks.entries()].some(
        ([other, set]) => other !== target && set.has(waiter) && !pages.has(other),
      );
      const again = job(waiter, {
        pageId: page.pageId!,
        written: 'updated',
        ...(stillMissing ? { warnings: [{ code: 'link_target_pending', detail: 'still waiting' }] } : {}),
      });
      pages.set(waiter, { ...page, lastJob: again });
    }
    waitingLinks.delete(target);
  }

  async function handle(method: string, url: URL, init: RequestInit | undefined): Promise<Response> {
    const path = url.pathname;
    requests.push(`${method} ${path}`);
    if (new Headers(init?.headers).get('authorization') !== `Bearer ${key}`)
      return problem(401, 'invalid_ingest_key', 'no key');
    let match = /^\/ingest\/v1\/pages\/([^/]+)$/.exec(path);
    if (match && method === 'PUT') {
      const parsed = pageIngestBodySchema.safeParse(JSON.parse(String(init?.body)));
      if (!parsed.success) return problem(400, 'validation_failed', parsed.error.message);
      if (parsed.data.spaceKey !== spaceKey) return problem(400, 'validation_failed', `must be ${spaceKey}`);
      return json(202, { jobId: publish(match[1]!, parsed.data).id });
    }
    match = /^\/ingest\/v1\/pages\/([^/]+)\/attachments\/([^/]+)$/.exec(path);
    if (match && method === 'PUT') {
      const type = attachmentContentTypeSchema.safeParse(new Headers(init?.headers).get('content-type'));
      if (!type.success) return problem(415, 'unsupported_media_type', 'not an image type');
      const bytes = new Uint8Array(init?.body as ArrayBufferLike);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const name = decodeURIComponent(match[2]!);
      const id = `${match[1]}/${name}`;
      const before = attachments.get(id);
      attachments.set(id, { contentType: type.data, sha256 });
      if (before?.sha256 !== sha256) freshImages.add(match[1]!);
      return json(before === undefined ? 201 : 200, {
        name,
        contentType: type.data,
        size: bytes.byteLength,
        sha256,
        changed: before?.sha256 !== sha256,
      });
    }
    match = /^\/ingest\/v1\/pages\/([^/]+)\/archive$/.exec(path);
    if (match && method === 'POST') {
      const externalId = match[1]!;
      const page = pages.get(externalId);
      if (page === undefined) return problem(404, 'page_not_found', 'no such page');
      const children = [...pages.values()].filter(
        (p) => p.parentExternalId === externalId && p.status === 'current',
      );
      if (children.length > 0) return problem(409, 'page_has_children', 'pages still sit under it');
      const dryRun = (JSON.parse(String(init?.body ?? '{}')) as { dryRun?: boolean }).dryRun === true;
      if (dryRun)
        return json(202, {
          jobId: job(externalId, { state: 'planned', dryRun: true, plan: { action: 'archive' } }).id,
        });
      pages.set(externalId, { ...page, status: 'archived' });
      return json(202, { jobId: job(externalId, { written: 'archived', pageId: page.pageId! }).id });
    }
    match = /^\/ingest\/v1\/pages\/([^/]+)$/.exec(path);
    if (match && method === 'GET') {
      const page = pages.get(match[1]!);
      if (page === undefined) return problem(404, 'page_not_found', 'nothing published');
      const { externalId, pageId, title, pageUrl, updatedAt, lastJob } = page;
      return json(200, { externalId, pageId, title, version: 1, pageUrl, updatedAt, lastJob });
    }
    match = /^\/ingest\/v1\/jobs\/([^/]+)$/.exec(path);
    if (match && method === 'GET') {
      const view = jobs.get(match[1]!);
      return view === undefined ? problem(404, 'job_not_found', 'no such job') : json(200, view);
    }
    match = /^\/ingest\/v1\/trees\/([^/]+)\/pages$/.exec(path);
    if (match && method === 'GET') {
      const all = [...pages.values()].filter((page) => page.origin.tree === match![1]);
      const start = Number(url.searchParams.get('cursor') ?? '0');
      const slice = all.slice(start, start + pageSize);
      const next = start + pageSize < all.length ? String(start + pageSize) : null;
      return json(200, { tree: match[1], pages: slice, nextCursor: next });
    }
    return problem(404, 'not_found', `${method} ${path}`);
  }

  return {
    fetch: (async (input: string | URL | Request, init?: RequestInit) =>
      handle(init?.method ?? 'GET', new URL(String(input)), init)) as typeof fetch,
    backendUrl: 'http://pagewire.test',
    key,
    requests,
    bodies,
    attachments,
    pages,
    humanEdit: (externalId) => edited.add(externalId),
    failNext: (externalId, code) => failures.set(externalId, code),
  };
}
