import { basename } from 'node:path';
import { type JobView, type TreePage, terminalJobStates } from '@pagewire/shared';
import {
  archivePage,
  getJob,
  getPublishedPage,
  type IngestClient,
  IngestError,
  listTreePages,
  putAttachment,
  putPage,
} from '../ingest/ingest-client';
import { assignPageIds } from '../planning/assign-page-ids';
import { walkTree } from '../tree/walk-tree';
import { type PageDraft, readDraft, titleFromName } from './page-drafts';
import { type PrepareContext, preparePage } from './prepare-page';
import {
  EXIT,
  type ExitCode,
  type FileAction,
  type FileOutcome,
  type OrphanOutcome,
  type PreparedPage,
  type PublishOptions,
  type PublishReport,
  UsageError,
} from './publish-types';

export interface PublishHooks {
  /** Called as pages are sent and their jobs end: `done` of `total`. */
  progress(done: number, total: number, what: string): void;
  /** The previous text of a vanished file (Git), for renames by similarity. */
  previousText(path: string): string | null;
}

/** Pages sent at once (a PUT to the backend is ~1 ms; Confluence's pace is the backend's business). */
const SEND_CONCURRENCY = 8;
/** Long polls in flight at once while the jobs run. */
const WAIT_CONCURRENCY = 16;

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function spaceFrom(options: PublishOptions, drafts: readonly PageDraft[]): string {
  if (options.spaceKey !== undefined) return options.spaceKey;
  for (const draft of drafts) {
    const space = draft.frontMatter.space ?? draft.headers.space;
    if (space !== undefined) return space;
  }
  throw new UsageError('no space: give --space KEY (or a "Space:" header / front matter "space" in a file)');
}

/** Parents first: a page is sent after the page it sits under when that page is in the run. */
function parentsFirst(pages: PreparedPage[]): PreparedPage[][] {
  const byId = new Map(pages.map((page) => [page.externalId, page]));
  const depth = new Map<PreparedPage, number>();
  const depthOf = (page: PreparedPage, seen: Set<PreparedPage>): number => {
    const known = depth.get(page);
    if (known !== undefined) return known;
    const parentId = 'parentExternalId' in page.body ? page.body.parentExternalId : undefined;
    const parent = parentId === undefined ? undefined : byId.get(parentId);
    const value =
      parent === undefined || seen.has(parent) ? 0 : depthOf(parent, new Set([...seen, page])) + 1;
    depth.set(page, value);
    return value;
  };
  const levels: PreparedPage[][] = [];
  for (const page of pages) {
    const level = depthOf(page, new Set([page]));
    levels[level] = [...(levels[level] ?? []), page];
  }
  return levels.filter((level) => level !== undefined).map(linkTargetsFirst);
}

/**
 * Within a level, a page goes after the pages it links to where the links
 * allow it (a cycle is broken in walk order): a link to a page not written yet
 * costs the linking page a second write once the target exists.
 */
function linkTargetsFirst(level: PreparedPage[]): PreparedPage[] {
  const byId = new Map(level.map((page) => [page.externalId, page]));
  const ordered: PreparedPage[] = [];
  const state = new Map<PreparedPage, 'visiting' | 'done'>();
  const visit = (page: PreparedPage) => {
    if (state.has(page)) return;
    state.set(page, 'visiting');
    for (const target of page.linkTargets) {
      const next = byId.get(target);
      if (next !== undefined && next !== page) visit(next);
    }
    state.set(page, 'done');
    ordered.push(page);
  };
  for (const page of level) visit(page);
  return ordered;
}

/** A job still not final after this long is reported as failed (the backend retries for minutes, not hours). */
const JOB_DEADLINE_MS = 30 * 60_000;

async function settle(client: IngestClient, jobId: string): Promise<JobView> {
  const deadline = Date.now() + JOB_DEADLINE_MS;
  for (;;) {
    const view = await getJob(client, jobId);
    if (terminalJobStates.has(view.state)) return view;
    if (Date.now() > deadline) {
      throw new IngestError(
        0,
        'job_timeout',
        `job ${jobId} was still ${view.state} after ${JOB_DEADLINE_MS / 60_000} minutes`,
      );
    }
  }
}

const PLANNED: Record<string, FileAction> = {
  create: 'create',
  update: 'update',
  move: 'move',
  unchanged: 'unchanged',
  skip: 'skip-human-edit',
};

function actionOf(view: JobView): FileAction {
  switch (view.state) {
    case 'published':
      return view.written === 'created' ? 'created' : view.written === 'moved' ? 'moved' : 'updated';
    case 'unchanged':
      return 'unchanged';
    case 'skipped_human_edit':
      return 'skipped-human-edit';
    case 'planned':
      return PLANNED[view.plan?.action ?? 'update'] ?? 'update';
    default:
      return 'failed';
  }
}

function errorOf(error: unknown): { code: string; detail: string } {
  if (error instanceof IngestError) return { code: error.code, detail: error.message };
  throw error;
}

/** Reads the folder and resolves every page against the listing: ids, parents, links, images, hashes. */
function preparePages(
  options: PublishOptions,
  spaceKey: string,
  drafts: readonly PageDraft[],
  listing: readonly TreePage[],
  previousText: PublishHooks['previousText'],
): PreparedPage[] {
  const byOrigin = new Map(drafts.map((draft) => [draft.entry.originPath, draft]));
  const folderPages = new Map(
    drafts.filter((d) => d.entry.folderPath !== null).map((d) => [d.entry.folderPath!, d.entry.originPath]),
  );
  const images: PrepareContext['images'] = new Map();
  const contextWith = (
    ids: ReadonlyMap<string, string>,
    renamed: ReadonlyMap<string, string>,
  ): PrepareContext => ({
    options,
    spaceKey,
    drafts: byOrigin,
    folderPages,
    idOf: (path) => ids.get(path) ?? path,
    renamedFrom: (path) => renamed.get(path),
    images,
  });
  const assigned = assignPageIds({
    tree: options.tree,
    drafts,
    listing,
    hashUnder: (draft, ids, parent) =>
      preparePage(draft, contextWith(ids, new Map()), { parentExternalId: parent }).sourceHash,
    previousText,
  });
  const context = contextWith(assigned.ids, assigned.renamedFrom);
  const prepared = drafts.map((draft) => {
    const page = preparePage(draft, context);
    const clash = assigned.errors.get(draft.entry.originPath);
    return clash === undefined ? page : { ...page, error: clash };
  });
  warnDuplicateTitles(prepared);
  return prepared;
}

/** What needs no request: failed locally, skipped by front matter, or unchanged since the last publish. */
function settleLocally(
  prepared: readonly PreparedPage[],
  listing: readonly TreePage[],
  outcomes: Map<PreparedPage, FileOutcome>,
): PreparedPage[] {
  const listed = new Map(listing.map((page) => [page.externalId, page]));
  const toSend: PreparedPage[] = [];
  for (const page of prepared) {
    const base = outcomeBase(page);
    const known = listed.get(page.externalId);
    if (page.error !== undefined) outcomes.set(page, { ...base, action: 'failed', error: page.error });
    else if (page.skip) outcomes.set(page, { ...base, action: 'skipped' });
    else if (isUnchanged(page, known)) outcomes.set(page, { ...base, action: 'unchanged', ...urlOf(known) });
    else toSend.push(page);
  }
  return toSend;
}

/** Images first, then the page; a level of the tree at a time, so a parent's PUT is in before its children's. */
async function sendPages(
  client: IngestClient,
  options: PublishOptions,
  toSend: readonly PreparedPage[],
  failed: (page: PreparedPage, error: unknown) => void,
): Promise<Map<PreparedPage, string>> {
  const jobs = new Map<PreparedPage, string>();
  for (const level of parentsFirst([...toSend])) {
    await mapLimited(level, SEND_CONCURRENCY, async (page) => {
      try {
        if (!options.dryRun) await uploadImages(client, page);
        jobs.set(page, await putPage(client, page.externalId, page.body));
      } catch (error) {
        failed(page, error);
      }
    });
  }
  return jobs;
}

async function outcomeOfJob(client: IngestClient, page: PreparedPage, jobId: string): Promise<FileOutcome> {
  try {
    const view = await settle(client, jobId);
    const path = page.body.origin?.path ?? page.originPath;
    const jobWarnings = (view.warnings ?? []).map((w) => ({ path, code: w.code, message: w.detail }));
    return {
      ...outcomeBase(page),
      warnings: [...page.warnings, ...jobWarnings],
      action: actionOf(view),
      jobId,
      ...(view.pageUrl === undefined ? {} : { pageUrl: view.pageUrl }),
      ...(view.error === undefined ? {} : { error: view.error }),
    };
  } catch (error) {
    return { ...outcomeBase(page), action: 'failed', jobId, error: errorOf(error) };
  }
}

/**
 * `pagewire publish <dir>`: walks the folder, works out each page's id,
 * parent, links and images against what the backend lists for the tree,
 * sends what changed (parents first), waits for every job, then reports or
 * archives the orphans.
 */
export async function publishTree(
  client: IngestClient,
  options: PublishOptions,
  hooks: PublishHooks,
): Promise<PublishReport> {
  const started = Date.now();
  const entries = walkTree(options.root);
  if (entries.length === 0) throw new UsageError(`${options.root} holds no Markdown files`);
  const treeTitle = titleFromName(basename(options.root));
  const drafts = entries.map((entry) => readDraft(options.root, entry, treeTitle));
  const spaceKey = spaceFrom(options, drafts);
  const report = { tree: options.tree, spaceKey, dryRun: options.dryRun };
  let listing: TreePage[];
  try {
    listing = await listTreePages(client, options.tree);
  } catch (error) {
    return { ...report, files: [], orphans: [], error: errorOf(error), exitCode: EXIT.failed };
  }
  const prepared = preparePages(options, spaceKey, drafts, listing, hooks.previousText);
  const outcomes = new Map<PreparedPage, FileOutcome>();
  const toSend = settleLocally(prepared, listing, outcomes);
  let done = outcomes.size;
  hooks.progress(done, prepared.length, 'planned');
  const planned = Date.now();
  const jobs = await sendPages(client, options, toSend, (page, error) => {
    outcomes.set(page, { ...outcomeBase(page), action: 'failed', error: errorOf(error) });
    hooks.progress(++done, prepared.length, page.originPath);
  });
  const sent = Date.now();
  await mapLimited([...jobs.entries()], WAIT_CONCURRENCY, async ([page, jobId]) => {
    outcomes.set(page, await outcomeOfJob(client, page, jobId));
    hooks.progress(++done, prepared.length, page.originPath);
  });
  await settlePendingLinks(client, outcomes);
  const waited = Date.now();
  const files = prepared.map((page) => outcomes.get(page)!);
  const claimed = new Set(prepared.map((page) => page.externalId));
  const orphans = await handleOrphans(
    client,
    options,
    listing.filter((page) => page.status === 'current' && !claimed.has(page.externalId)),
    files.some((file) => file.action === 'failed'),
  );
  const timings = {
    planMs: planned - started,
    sendMs: sent - planned,
    waitMs: waited - sent,
    orphansMs: Date.now() - waited,
  };
  return { ...report, files, orphans, timings, exitCode: exitCodeOf(files, orphans) };
}

const LINK_PENDING = 'link_target_pending';
const MAX_REPUBLISH_ROUNDS = 20;

/**
 * A page whose links pointed at pages of the same run that were not written
 * yet ends with `link_target_pending`; the backend publishes it again once the
 * targets exist. Those re-publishes are waited for too, so the run ends with
 * the links in place and the warning gone (or still there, if a target failed).
 */
async function settlePendingLinks(
  client: IngestClient,
  outcomes: Map<PreparedPage, FileOutcome>,
): Promise<void> {
  const pending = [...outcomes.entries()].filter(([, outcome]) =>
    outcome.warnings.some((w) => w.code === LINK_PENDING),
  );
  await mapLimited(pending, WAIT_CONCURRENCY, async ([page, outcome]) => {
    try {
      // A page linking to several new pages may be published again once per target: follow to the last.
      let seen = outcome.jobId;
      for (let round = 0; round < MAX_REPUBLISH_ROUNDS; round++) {
        const last = (await getPublishedPage(client, page.externalId)).lastJob;
        if (last === null || last.id === seen) return;
        seen = last.id;
        const view = terminalJobStates.has(last.state) ? last : await settle(client, last.id);
        if (view.state !== 'published' && view.state !== 'unchanged') return;
        if (!(view.warnings ?? []).some((w) => w.code === LINK_PENDING)) {
          outcomes.set(page, {
            ...outcome,
            warnings: outcome.warnings.filter((w) => w.code !== LINK_PENDING),
          });
          return;
        }
      }
    } catch (error) {
      errorOf(error);
    }
  });
}

function outcomeBase(page: PreparedPage) {
  return {
    path: page.body.origin?.path ?? page.originPath,
    externalId: page.externalId,
    title: page.title,
    warnings: page.warnings,
    ...(page.renamedFrom === undefined ? {} : { renamedFrom: page.renamedFrom }),
  };
}

function urlOf(page: TreePage | undefined): { pageUrl?: string } {
  return page?.pageUrl === undefined ? {} : { pageUrl: page.pageUrl };
}

/** Nothing to send: the same source hash as the last publish, which succeeded, and the page still current. */
function isUnchanged(page: PreparedPage, known: TreePage | undefined): boolean {
  if (known === undefined || known.status !== 'current' || known.pageId === null) return false;
  const lastState = known.lastJob?.state;
  return (
    known.origin.sourceHash === page.sourceHash &&
    known.origin.path === page.originPath &&
    (lastState === 'published' || lastState === 'unchanged')
  );
}

function warnDuplicateTitles(pages: readonly PreparedPage[]): void {
  const byTitle = new Map<string, PreparedPage[]>();
  for (const page of pages)
    byTitle.set(page.title.toLowerCase(), [...(byTitle.get(page.title.toLowerCase()) ?? []), page]);
  for (const same of byTitle.values()) {
    if (same.length < 2) continue;
    for (const page of same) {
      page.warnings.push({
        path: page.body.origin?.path ?? page.originPath,
        code: 'duplicate_title',
        message: `"${page.title}" is also the title of ${same
          .filter((o) => o !== page)
          .map((o) => o.originPath)
          .join(', ')}; Confluence titles are unique in a space`,
      });
    }
  }
}

async function uploadImages(client: IngestClient, page: PreparedPage): Promise<void> {
  for (const image of page.images) {
    try {
      await putAttachment(client, page.externalId, image.name, image.contentType, image.bytes);
    } catch (error) {
      const { code, detail } = errorOf(error);
      page.warnings.push({
        path: page.originPath,
        code,
        message: `image ${image.path} was not uploaded: ${detail}`,
      });
    }
  }
}

/** Deepest first: an orphan is archived after the orphans under it, never while pages still sit under it. */
async function handleOrphans(
  client: IngestClient,
  options: PublishOptions,
  orphans: readonly TreePage[],
  anyFailed: boolean,
): Promise<OrphanOutcome[]> {
  const base = (page: TreePage) => ({
    path: page.origin.path,
    externalId: page.externalId,
    title: page.title,
    ...urlOf(page),
  });
  if (options.onOrphan === 'report')
    return orphans.map((page) => ({ ...base(page), action: 'orphan' as const }));
  if (anyFailed) return orphans.map((page) => ({ ...base(page), action: 'archive-refused' as const }));
  const parents = new Map(orphans.map((page) => [page.externalId, page.parentExternalId]));
  const depthOf = (id: string | null, hops = 0): number =>
    id === null || !parents.has(id) || hops > orphans.length
      ? hops
      : depthOf(parents.get(id) ?? null, hops + 1);
  const ordered = [...orphans].sort((a, b) => depthOf(b.parentExternalId) - depthOf(a.parentExternalId));
  const results = new Map<string, OrphanOutcome>();
  for (const page of ordered) {
    try {
      const view = await settle(client, await archivePage(client, page.externalId, options.dryRun));
      const ok = view.state === 'published' || view.state === 'planned';
      results.set(page.externalId, {
        ...base(page),
        action: ok ? (options.dryRun ? 'archive' : 'archived') : 'failed',
        ...(view.error === undefined ? {} : { error: view.error }),
      });
    } catch (error) {
      results.set(page.externalId, { ...base(page), action: 'failed', error: errorOf(error) });
    }
  }
  return orphans.map((page) => results.get(page.externalId)!);
}

function exitCodeOf(files: readonly FileOutcome[], orphans: readonly OrphanOutcome[]): ExitCode {
  if (
    files.some((f) => f.action === 'failed') ||
    orphans.some((o) => o.action === 'failed' || o.action === 'archive-refused')
  ) {
    return EXIT.failed;
  }
  if (files.some((f) => f.action === 'skipped-human-edit' || f.action === 'skip-human-edit'))
    return EXIT.humanEdits;
  return EXIT.ok;
}
