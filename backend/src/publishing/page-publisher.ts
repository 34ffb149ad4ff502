import {
  type AdfDocument,
  type JobWarning,
  type PageIngestBody,
  type PublishPlan,
  pageIngestBodySchema,
} from '@pagewire/shared';
import type { AdfValidator } from '@pagewire/shared/adf-validator';
import { summariseDiff } from '../adf/adf-diff';
import { hashPageContent, isAdfContainedIn } from '../adf/canonical-adf';
import { isContentTooComplexError } from '../adf/markdown-renderer';
import type { MarkdownConversion } from '../adf/markdown-to-adf';
import {
  isBadRequestError,
  isConflictError,
  isForbiddenError,
  isNotFoundError,
  isScopeError,
} from '../confluence/errors';
import type { PageProperty, PublishedPage, PublishingConfluence, PublishTarget } from './confluence-gateway';
import {
  type AttachmentStep,
  createAttachmentStep,
  renderAttachmentsFor,
  uploadAttachmentsTo,
  useRendered,
} from './page-attachments';
import { loadPageIndex } from './page-index';
import { PAGE_OWNERSHIP_PROPERTY_KEY, type PageOwnership, readOwnership } from './page-ownership';
import type { PageReferences } from './page-references';
import { markerMatches, markVersionMessage, readVersionMarker } from './page-version-marker';
import { missingParentError } from './parent-page-check';
import { PermanentPublishError } from './publish-errors';
import { type IndexCensus, loadSpace, type SpaceDirectory, type SpaceInfo } from './space-directory';
import type { PageAttachmentRepository } from './store/page-attachment-repository';
import type { PageIdentity, PageIdentityRepository } from './store/page-identity-repository';
import type { HumanEdit, Outcome, StoredJob } from './store/queue-repository';
import type { Written } from './store/queue-types';

/**
 * What the worker is about to do in Confluence, saved before it does it. A
 * crash (or an ambiguous 5xx or timeout) between "sent" and "recorded" leaves
 * this behind; the next attempt re-reads the page and, when version and
 * content match the intent, takes the write as done instead of repeating it:
 * no duplicate page, no extra version.
 */
export type PublishIntent =
  | { action: 'create'; jobId: string; title: string; spaceId: string; contentHash: string; at: string }
  | {
      action: 'update';
      jobId: string;
      pageId: string;
      baseVersion: number;
      targetVersion: number;
      title: string;
      contentHash: string;
      at: string;
      /**
       * The page's create is not finished yet (its ownership property may be
       * unwritten): carried over from the create intent this update replaces,
       * so that a crash after this update still finishes the create.
       */
      completesCreate?: true;
    };

export interface PagePublishDeps {
  confluence: PublishingConfluence;
  identities: PageIdentityRepository;
  validator: AdfValidator;
  /** The intent an earlier attempt left on the work item, if any. */
  initialIntent: PublishIntent | null;
  /** Saves the intent on the work item; throws LeaseLostError when the lease is gone. */
  recordIntent(intent: PublishIntent): Promise<void>;
  /** Another job of the same installation (the one an intent names). */
  findJob(jobId: string): Promise<StoredJob | null>;
  /** Spaces and their homepage index, remembered between jobs (one per publishing service). */
  spaces: SpaceDirectory;
  now(): Date;
  /** Markdown→ADF: the render pool in the running backend (off the HTTP thread, under a time budget). */
  renderMarkdown(markdown: string): Promise<MarkdownConversion>;
  /** The parent by external id and `pagewire:page/…` links (page-references.ts). */
  references: PageReferences;
  /** The images sources sent for their pages (page-attachments.ts). */
  attachments: PageAttachmentRepository;
}

export interface PublishResult extends Outcome {
  /** One sentence for the activity log. */
  detail: string;
  /** Page links whose target has no page yet (page-links.ts): the caller records them after a write. */
  unresolvedLinks?: string[];
}

/** A 409 means someone wrote between our read and our write: re-read, re-check, re-apply at most this often. */
export const MAX_CONFLICT_ROUNDS = 3;

export async function deriveDocument(
  body: PageIngestBody,
  renderMarkdown: PagePublishDeps['renderMarkdown'],
): Promise<{ document: AdfDocument; warnings: JobWarning[] }> {
  if (body.adf !== undefined) return { document: body.adf, warnings: [] };
  let conversion: MarkdownConversion;
  try {
    conversion = await renderMarkdown(body.markdown ?? '');
  } catch (error) {
    // Over the render budget or the stack: the same Markdown fails the same way every time, so never retried.
    if (isContentTooComplexError(error)) {
      throw new PermanentPublishError(
        'content_too_complex',
        `The page's Markdown cannot be published: ${error.message}.`,
      );
    }
    throw error;
  }
  const { document, notes } = conversion;
  return {
    document,
    warnings: notes.map((note) => ({
      code: 'markdown_not_converted',
      detail: `${note.line === undefined ? '' : `line ${note.line}: `}${note.detail}`,
    })),
  };
}

interface Located {
  page: PublishedPage;
  ownership: PageOwnership | null;
  ownershipProperty: PageProperty | null;
  /** How it was found: `title` and `adopted` mean the homepage index did not know it. */
  via: 'record' | 'intent' | 'index' | 'title' | 'adopted';
  /**
   * An earlier attempt's create may have died after saving the record but
   * before the ownership property or the index were written: this attempt
   * read the property and finishes what the create left undone.
   */
  completesCreate: boolean;
}

interface Run {
  job: StoredJob;
  body: PageIngestBody;
  externalId: string;
  target: PublishTarget;
  /** The parent the page goes under: `parentId`, or the page `parentExternalId` names; undefined leaves it where it is. */
  parentId: string | undefined;
  document: AdfDocument;
  warnings: JobWarning[];
  /** The rendering's warnings, without the attachment step's (which change as files are resolved). */
  baseWarnings: JobWarning[];
  attachments: AttachmentStep;
  contentHash: string;
  wantedLabels: string[];
  /** Looked up only when needed (creating, or finding a page the backend has no record of). */
  space(): Promise<SpaceInfo>;
  /** The homepage index read in full (null: it cannot be read); see space-directory.ts. */
  index(): Promise<IndexCensus>;
  deps: PagePublishDeps;
  intent: PublishIntent | null;
}

/**
 * Publishes one whole page. In the happy path (the backend has a record of
 * the page and no earlier attempt left an intent) that is one request: the
 * update as the recorded version + 1, which Confluence accepts only if nobody
 * wrote since (`tryRecordedVersion`). Otherwise, or after that write's 409, it
 * reads: finds the page (the backend's record, then the space's index, then
 * the title — a page found by index or title must carry the ownership
 * property), decides (create, update, unchanged, or skip because a person
 * edited it since Pagewire's last write), and writes version + 1, re-reading
 * on a 409. A dry run always reads, and stops after deciding.
 */
export async function publishPage(job: StoredJob, deps: PagePublishDeps): Promise<PublishResult> {
  const body = pageIngestBodySchema.parse(job.request);
  const target: PublishTarget = { installationId: job.installationId, spaceKey: job.spaceKey };
  const parent = await deps.references.parentIdOf(job, body);
  const derived = await deriveDocument(body, deps.renderMarkdown);
  const links = await deps.references.resolveLinks(job, derived.document);
  const document = links.document;
  const warnings = [...parent.warnings, ...derived.warnings, ...links.warnings];
  const validation = deps.validator.validate(document);
  if (!validation.valid) {
    const first = validation.errors[0];
    throw new PermanentPublishError(
      'validation_failed',
      `The page body is not valid ADF${first ? ` (${first.path || '/'} ${first.message})` : ''}; Confluence would refuse it.`,
    );
  }
  const externalId = job.externalId ?? '';
  const attachments = createAttachmentStep(
    { attachments: deps.attachments, confluence: deps.confluence, now: deps.now },
    { installationId: job.installationId, spaceKey: job.spaceKey, externalId },
    document,
  );
  const run: Run = {
    job,
    body,
    externalId,
    target,
    parentId: parent.parentId,
    document,
    warnings,
    baseWarnings: warnings,
    attachments,
    contentHash: hashPageContent({ title: body.title, document }),
    wantedLabels: [...new Set(body.labels ?? [])].sort(),
    // A failed lookup is not remembered: the next call (next round) asks again.
    space: () => deps.spaces.space(target, () => loadSpace(deps.confluence, target)),
    async index() {
      const { homepageId } = await run.space();
      if (homepageId === null) return null;
      return deps.spaces.index(target, homepageId, () => loadPageIndex(deps.confluence, target, homepageId));
    },
    deps,
    intent: deps.initialIntent,
  };
  // Before the page is known its images are their alt text (what a create writes first).
  if (attachments.used) useRendered(run, await attachments.render(null));

  for (let round = 1; ; round += 1) {
    const fast = round === 1 ? await tryRecordedVersion(run) : null;
    const result = fast ?? (await decideAndWrite(run, round));
    if (result !== 'conflict') return { ...result, unresolvedLinks: links.unresolved };
    if (round >= MAX_CONFLICT_ROUNDS) {
      throw new PermanentPublishError(
        'confluence_conflict',
        `The page kept changing while Pagewire was writing it (${MAX_CONFLICT_ROUNDS} version conflicts in a row); nothing was overwritten.`,
      );
    }
  }
}

/**
 * The happy path: the backend knows which version it wrote last and what it
 * held, so it writes version last + 1 at once. Success means nobody wrote in
 * between (Confluence refuses any other number with a 409,
 * docs/platform-notes.md#optimistic-page-updates-409): no read needed.
 * Unchanged content is not written and not read. Returns null when this path
 * does not apply (no record, a dry run, an earlier attempt's intent to
 * check, or the page is gone): the caller then reads and decides.
 */
async function tryRecordedVersion(run: Run): Promise<PublishResult | 'conflict' | null> {
  const { job, body, deps } = run;
  if (job.dryRun || run.intent !== null) return null;
  const identity = await deps.identities.find(job.installationId, job.spaceKey, run.externalId);
  // A person's edit is already known (a Confluence event marked it): the
  // recorded version would only earn a 409, so read and decide at once.
  if (identity === null || (identity.humanEdit ?? null) !== null) return null;
  const recorded = pageOfRecord(identity);
  await renderAttachmentsFor(run, identity.pageId);
  const moving = isMove(run, identity.parentId);

  if (identity.lastHash === run.contentHash && !moving) {
    // Same content as Pagewire's last write: nothing to send and nothing to
    // read. (`overwrite` reads first: a person's edit since would have to go.)
    if (body.onHumanEdit === 'overwrite') return null;
    return finish(run, {
      page: recorded,
      located: null,
      identity,
      plan: { action: 'unchanged', pageId: identity.pageId, currentVersion: identity.lastVersion },
      wrote: false,
      created: false,
      lastJobId: identity.lastJobId,
    });
  }

  const plan: PublishPlan = {
    // Only the parent changes: the same content, written under the new parent.
    action: identity.lastHash === run.contentHash ? 'move' : 'update',
    pageId: identity.pageId,
    currentVersion: identity.lastVersion,
  };
  const targetVersion = identity.lastVersion + 1;
  await uploadAttachmentsTo(run, identity.pageId);
  await recordIntent(run, {
    action: 'update',
    jobId: job.id,
    pageId: identity.pageId,
    baseVersion: identity.lastVersion,
    targetVersion,
    title: body.title,
    contentHash: run.contentHash,
    at: deps.now().toISOString(),
  });
  let updated: PublishedPage;
  try {
    updated = await deps.confluence.updatePage(run.target, {
      pageId: identity.pageId,
      parentId: moving ? run.parentId : undefined,
      title: body.title,
      body: run.document,
      version: targetVersion,
      message: markVersionMessage(body.versionMessage, run.contentHash),
    });
  } catch (error) {
    // Someone wrote since Pagewire's last write: only now read, and decide
    // exactly as without a record (their edit may make this a skip).
    if (isConflictError(error)) return 'conflict';
    // Gone (deleted, or no longer visible), or refused for a reason the page
    // itself explains (a trashed page, a title taken meanwhile): the read
    // path looks and decides, and reports an error that stays.
    if (isNotFoundError(error) || isBadRequestError(error)) return null;
    throw error;
  }
  return finish(run, { page: updated, located: null, identity, plan, wrote: true, created: false });
}

/** Whether the source asks for another parent than the page has. */
function isMove(run: Run, currentParentId: string | null): boolean {
  return run.parentId !== undefined && run.parentId !== currentParentId;
}

/** What a job that changed its page did to it (the job view's `written`). */
function writtenOf(args: { created: boolean; plan: PublishPlan }): Written {
  if (args.created) return 'created';
  return args.plan.action === 'move' ? 'moved' : 'updated';
}

/** The page as the backend's record knows it (what a write from the record needs). */
function pageOfRecord(identity: PageIdentity): PublishedPage {
  return {
    id: identity.pageId,
    title: identity.title,
    status: 'current',
    spaceId: identity.spaceId,
    parentId: identity.parentId,
    version: { number: identity.lastVersion, authorId: null, createdAt: null, message: null },
    body: null,
  };
}

async function decideAndWrite(run: Run, round: number): Promise<PublishResult | 'conflict'> {
  const { job, body, deps } = run;
  let identity = await deps.identities.find(job.installationId, job.spaceKey, run.externalId);
  const located = await locatePage(run, identity, round);

  if (located === null) {
    const plan: PublishPlan = {
      action: 'create',
      diff: summariseDiff({
        current: null,
        next: run.document,
        currentTitle: null,
        nextTitle: body.title,
        currentLabels: [],
        nextLabels: run.wantedLabels,
      }),
    };
    if (identity !== null) {
      // The page we published is gone (trashed, deleted, or no longer visible to us).
      plan.reason = `page ${identity.pageId} no longer exists; a new page will be created`;
      if (!job.dryRun) await deps.identities.forget(job.installationId, job.spaceKey, run.externalId);
      identity = null;
    }
    if (job.dryRun) return planned(plan, run.warnings, `Dry run: would create "${body.title}"`);
    const space = await run.space();
    await recordIntent(run, {
      action: 'create',
      jobId: job.id,
      title: body.title,
      spaceId: space.id,
      contentHash: run.contentHash,
      at: deps.now().toISOString(),
    });
    let created: PublishedPage;
    try {
      created = await deps.confluence.createPage(run.target, {
        spaceId: space.id,
        parentId: run.parentId,
        title: body.title,
        body: run.document,
      });
    } catch (error) {
      const parentMissing = await missingParentError(error, deps.confluence, run.target, run.parentId);
      if (parentMissing !== null) throw parentMissing;
      // A 400 is most often a page with this title appearing since we looked
      // (titles are unique per space): look again, then decide.
      if (isBadRequestError(error) && round < MAX_CONFLICT_ROUNDS) return 'conflict';
      throw error;
    }
    if (run.attachments.used) return writeImagesAfterCreate(run, created, plan);
    return finish(run, { page: created, located: null, identity: null, plan, wrote: true, created: true });
  }

  const { page } = located;
  await renderAttachmentsFor(run, page.id);
  if (identity !== null && identity.pageId !== page.id) identity = null;
  let lastVersion = identity?.lastVersion ?? null;
  let lastHash = identity?.lastHash ?? null;
  let lastJobId = identity?.lastJobId ?? null;
  // The property wins when it is newer: the backend's record may be an older
  // copy (a restored backup) or gone (a lost database).
  if (located.ownership !== null && (lastVersion === null || located.ownership.version > lastVersion)) {
    lastVersion = located.ownership.version;
    lastHash = located.ownership.contentHash;
    lastJobId = located.ownership.jobId;
  }
  // Pagewire's own versions say so in their message (page-version-marker.ts):
  // a current version written by Pagewire after the record (a restored
  // backup) or after the property (every update since the create) is ours.
  const marker = readVersionMarker(page.version.message);
  if (marker !== null && page.version.number !== lastVersion) {
    lastVersion = page.version.number;
    lastHash = markerMatches(marker, run.contentHash) ? run.contentHash : `marker:${marker}`;
    lastJobId = null;
  }
  // An earlier attempt's write that landed before it could be recorded counts as ours.
  const landed = await intentLanded(run, page, located.via === 'adopted');
  if (landed !== null) {
    lastVersion = page.version.number;
    lastHash = landed.contentHash;
    lastJobId = landed.jobId;
    if (!job.dryRun) {
      // Record it before anything else: the next write records a new intent
      // over this one, and a crash after that must still know this version
      // is ours (else it would look like a person's edit).
      identity = identityOf(run, page, {
        lastVersion,
        lastHash,
        labels: identity?.labels ?? [],
        lastJobId,
        updatedAt: deps.now().toISOString(),
      });
      await deps.identities.save(identity);
    }
  }

  const current = page.version.number;
  const knownLabels = identity?.labels ?? [];
  const diff = summariseDiff({
    current: page.body,
    next: run.document,
    currentTitle: page.title,
    nextTitle: body.title,
    currentLabels: knownLabels,
    nextLabels: run.wantedLabels,
  });

  // Human-edit protection compares version numbers, not content: Confluence
  // rewrites bodies on save, so content equality would misfire (mark's
  // --no-overwrite reasoning, https://github.com/kovetskiy/mark).
  if (lastVersion === null || current !== lastVersion) {
    const humanEdit: HumanEdit = {
      by: page.version.authorId ?? 'unknown',
      at: page.version.createdAt ?? deps.now().toISOString(),
      version: current,
    };
    const lastWrote =
      lastVersion === null ? 'no record of a Pagewire write' : `Pagewire last wrote version ${lastVersion}`;
    const who = `${humanEdit.by} at ${humanEdit.at} (version ${current}; ${lastWrote})`;
    if (body.onHumanEdit === 'skip') {
      const plan: PublishPlan = {
        action: 'skip',
        reason: `edited in Confluence by ${who}`,
        pageId: page.id,
        currentVersion: current,
        diff,
      };
      if (job.dryRun)
        return { ...planned(plan, run.warnings, `Dry run: would leave "${page.title}" alone`), humanEdit };
      return {
        state: 'skipped_human_edit',
        pageId: page.id,
        version: current,
        plan,
        humanEdit,
        warnings: run.warnings,
        // Shown to admins: who and when travel as data (the activity row's humanEdit), not as ids in the sentence.
        detail: `Left "${page.title}" unchanged: a person edited it in Confluence (version ${current}; ${lastWrote})`,
      };
    }
    const plan: PublishPlan = {
      action: 'update',
      reason: `overwrites the edit by ${who}`,
      pageId: page.id,
      currentVersion: current,
      diff,
    };
    if (job.dryRun)
      return { ...planned(plan, run.warnings, `Dry run: would overwrite "${page.title}"`), humanEdit };
    return writeUpdate(run, located, identity, plan, humanEdit);
  }

  if (lastHash === run.contentHash && isMove(run, page.parentId) && lastJobId !== job.id) {
    const plan: PublishPlan = { action: 'move', pageId: page.id, currentVersion: current, diff };
    if (job.dryRun)
      return planned(plan, run.warnings, `Dry run: would move "${page.title}" under page ${run.parentId}`);
    return writeUpdate(run, located, identity, plan, undefined);
  }

  if (lastHash === run.contentHash) {
    // Already what the source asks for. If it is this very job's write that
    // landed before a crash, the job did publish, at this version.
    const ownWrite = lastJobId === job.id;
    const plan: PublishPlan = {
      action: ownWrite ? 'update' : 'unchanged',
      pageId: page.id,
      currentVersion: current,
    };
    if (job.dryRun) {
      return planned({ ...plan, diff }, run.warnings, `Dry run: "${page.title}" is up to date`);
    }
    return finish(run, {
      page,
      located,
      identity,
      plan,
      wrote: ownWrite,
      created: false,
      lastJobId: lastJobId ?? job.id,
    });
  }

  const plan: PublishPlan = { action: 'update', pageId: page.id, currentVersion: current, diff };
  if (job.dryRun) return planned(plan, run.warnings, `Dry run: would update "${page.title}"`);
  return writeUpdate(run, located, identity, plan, undefined);
}

/**
 * A new page that shows attachment images: files can only be uploaded to a
 * page that exists, so the create wrote the images' alt text. Upload them and
 * write the body with the files as the page's second version; the job still
 * reports the page as created. The update intent carries `completesCreate`,
 * so an attempt after a crash here still finishes the create.
 */
async function writeImagesAfterCreate(
  run: Run,
  created: PublishedPage,
  plan: PublishPlan,
): Promise<PublishResult | 'conflict'> {
  const createdHash = run.contentHash;
  await uploadAttachmentsTo(run, created.id);
  if (run.contentHash === createdHash) {
    // Nothing to show but alt text (every image missing or refused): the create already holds it.
    return finish(run, { page: created, located: null, identity: null, plan, wrote: true, created: true });
  }
  const targetVersion = created.version.number + 1;
  await recordIntent(run, {
    action: 'update',
    jobId: run.job.id,
    pageId: created.id,
    baseVersion: created.version.number,
    targetVersion,
    title: run.body.title,
    contentHash: run.contentHash,
    at: run.deps.now().toISOString(),
    completesCreate: true,
  });
  let updated: PublishedPage;
  try {
    updated = await run.deps.confluence.updatePage(run.target, {
      pageId: created.id,
      title: run.body.title,
      body: run.document,
      version: targetVersion,
      message: markVersionMessage(run.body.versionMessage, run.contentHash),
    });
  } catch (error) {
    // Someone wrote since the create: decide again from the page, as after any 409.
    if (isConflictError(error)) return 'conflict';
    throw error;
  }
  return finish(run, { page: updated, located: null, identity: null, plan, wrote: true, created: true });
}

async function writeUpdate(
  run: Run,
  located: Located,
  identity: PageIdentity | null,
  plan: PublishPlan,
  humanEdit: HumanEdit | undefined,
): Promise<PublishResult | 'conflict'> {
  const { page } = located;
  const targetVersion = page.version.number + 1;
  await uploadAttachmentsTo(run, page.id);
  await recordIntent(run, {
    action: 'update',
    jobId: run.job.id,
    pageId: page.id,
    baseVersion: page.version.number,
    targetVersion,
    title: run.body.title,
    contentHash: run.contentHash,
    at: run.deps.now().toISOString(),
    // This intent replaces the create's: without saying so, an attempt after
    // a crash here would take the page as finished and never write its
    // ownership property (the only proof it is ours after a lost database).
    ...(located.completesCreate ? { completesCreate: true as const } : {}),
  });
  let updated: PublishedPage;
  try {
    updated = await run.deps.confluence.updatePage(run.target, {
      pageId: page.id,
      parentId: isMove(run, page.parentId) ? run.parentId : undefined,
      title: run.body.title,
      body: run.document,
      version: targetVersion,
      message: markVersionMessage(run.body.versionMessage, run.contentHash),
    });
  } catch (error) {
    // Someone wrote between our read and our write. Never force it: re-read
    // and decide again (their edit may now make this a skip).
    if (isConflictError(error)) return 'conflict';
    const parentMissing = await missingParentError(error, run.deps.confluence, run.target, run.parentId);
    if (parentMissing !== null) throw parentMissing;
    throw error;
  }
  const result = await finish(run, { page: updated, located, identity, plan, wrote: true, created: false });
  return humanEdit === undefined ? result : { ...result, humanEdit };
}

/** The backend's record of a page as Pagewire's: where it is, and which version and content are ours. */
function identityOf(
  run: Run,
  page: PublishedPage,
  ours: Pick<PageIdentity, 'lastVersion' | 'lastHash' | 'labels' | 'lastJobId' | 'updatedAt'>,
): PageIdentity {
  return {
    installationId: run.job.installationId,
    spaceKey: run.job.spaceKey,
    externalId: run.externalId,
    pageId: page.id,
    spaceId: page.spaceId,
    title: page.title,
    parentId: page.parentId,
    ...ours,
  };
}

/**
 * After a write (or when the page already holds this content): record the
 * version in the backend and on the page, index a new page, add missing
 * labels. Each step is safe to repeat, so an attempt that dies in the middle
 * is finished by the next one.
 */
async function finish(
  run: Run,
  args: {
    page: PublishedPage;
    located: Located | null;
    identity: PageIdentity | null;
    plan: PublishPlan;
    wrote: boolean;
    created: boolean;
    lastJobId?: string;
  },
): Promise<PublishResult> {
  const { job, deps, target } = run;
  const { page } = args;
  const warnings = [...run.warnings];
  const now = deps.now().toISOString();
  const lastJobId = args.wrote ? job.id : (args.lastJobId ?? job.id);
  const identity = identityOf(run, page, {
    lastVersion: page.version.number,
    lastHash: run.contentHash,
    labels: args.identity?.labels ?? [],
    lastJobId,
    updatedAt: now,
  });
  // The backend's record first: if the next step dies, the next attempt still
  // knows this version is ours.
  await deps.identities.save(identity);

  // The ownership property is written when the page is created or found again
  // without the backend's record (re-discovery), never per update: Pagewire's
  // later versions are marked in their version message instead.
  const via = args.located?.via;
  const completesCreate = args.located?.completesCreate === true;
  if (args.created || completesCreate || via === 'index' || via === 'title' || via === 'adopted') {
    const ownership: PageOwnership = {
      externalId: run.externalId,
      spaceKey: job.spaceKey,
      source: job.source,
      version: page.version.number,
      contentHash: run.contentHash,
      jobId: lastJobId,
      publishedAt:
        args.located?.ownership?.version === page.version.number ? args.located.ownership.publishedAt : now,
    };
    const existing = args.located?.ownershipProperty ?? null;
    const current = readOwnership(existing?.value);
    if (
      current === null ||
      current.version !== ownership.version ||
      current.contentHash !== ownership.contentHash ||
      current.externalId !== ownership.externalId
    ) {
      await writeProperty(run, page.id, PAGE_OWNERSHIP_PROPERTY_KEY, ownership, existing);
    }
  }

  // The homepage index is written in batches from the backend's records
  // (page-indexer.ts), not per page. Say so when it cannot be written at all.
  if (args.created || completesCreate || via === 'title') {
    const { homepageId } = await run.space();
    if (homepageId !== null && homepageId !== page.id && (await run.index()) === null) {
      warnings.push({
        code: 'index_not_written',
        detail:
          "The space's page index (properties of the space homepage) cannot be read or written with Pagewire's credentials; the page is still found again by its title and ownership property.",
      });
    }
  }

  let labelsAdded = false;
  const missing = run.wantedLabels.filter((label) => !identity.labels.includes(label));
  if (missing.length > 0) {
    try {
      await deps.confluence.addLabels(target, page.id, missing);
      identity.labels = [...identity.labels, ...missing].sort();
      await deps.identities.save(identity);
      labelsAdded = true;
    } catch (error) {
      // Labels are a v1 write the app's Forge scopes do not cover; without an
      // API token for the space they cannot be added. The page itself is
      // published, so that is a warning on the job, not a failure of it.
      if (!isPermanentCredentialProblem(error)) throw error;
      warnings.push({
        code: 'labels_not_applied',
        detail: `Labels ${missing.join(', ')} were not added: ${(error as Error).message}`,
      });
    }
  }

  const changed = args.wrote || labelsAdded;
  const version = page.version.number;
  let detail: string;
  if (args.created) detail = `Created "${page.title}" (page ${page.id}) for ${run.externalId}`;
  else if (args.wrote && args.plan.action === 'move')
    detail = `Moved "${page.title}" (page ${page.id}) under page ${page.parentId ?? 'unknown'} as version ${version}`;
  else if (args.wrote) detail = `Published "${page.title}" (page ${page.id}) as version ${version}`;
  else if (labelsAdded) detail = `Added labels ${missing.join(', ')} to "${page.title}" (page ${page.id})`;
  else detail = `"${page.title}" (page ${page.id}) is already up to date at version ${version}`;
  return {
    state: changed ? 'published' : 'unchanged',
    pageId: page.id,
    version,
    plan: args.plan,
    warnings,
    detail,
    ...(changed ? { written: writtenOf(args) } : {}),
  };
}

/**
 * Finds the page for this external id. The backend's record and a recorded
 * intent are trusted; the homepage index and the title are only ways to find
 * candidates, each of which must carry our ownership property (the title
 * alone never makes a page ours). A title taken by a page that is not ours
 * is an error, never an overwrite and never a duplicate.
 */
async function locatePage(run: Run, identity: PageIdentity | null, round: number): Promise<Located | null> {
  const { deps, target, externalId } = run;
  const tried = new Set<string>();
  const candidates: { id: string; via: Located['via'] }[] = [];
  if (identity !== null) candidates.push({ id: identity.pageId, via: 'record' });
  if (run.intent?.action === 'update') candidates.push({ id: run.intent.pageId, via: 'intent' });

  const consider = async (id: string, via: Located['via']): Promise<Located | null> => {
    if (tried.has(id)) return null;
    tried.add(id);
    const page = await deps.confluence.getPage(target, id);
    if (page === null || page.status !== 'current') return null;
    // The backend's record and our own intent name the page: no proof needed.
    // Which versions are ours comes from the record and the version marker.
    const completesCreate = intentCompletesCreate(run.intent);
    if ((via === 'record' || via === 'intent') && !completesCreate) {
      return { page, ownership: null, ownershipProperty: null, via, completesCreate };
    }
    const property = await deps.confluence.getProperty(target, page.id, PAGE_OWNERSHIP_PROPERTY_KEY);
    const ownership = readOwnership(property?.value);
    if (ownership !== null && ownership.externalId !== externalId) return null;
    // The index is a hint: what it points to must say it is ours.
    if (via === 'index' && ownership === null) return null;
    return { page, ownership, ownershipProperty: property, via, completesCreate };
  };

  for (const candidate of candidates) {
    const found = await consider(candidate.id, candidate.via);
    if (found !== null) return found;
  }

  const space = await run.space();
  const census = await run.index();
  const entry = readIndexEntry(run, census);
  if (entry !== null) {
    const found = await consider(entry, 'index');
    if (found !== null) return found;
  }

  // A new external id in a space whose index could be read: nothing of ours
  // can hold the title unless the index could not be written for it, and then
  // the create's 400 ("title taken") brings us back here with round 2, which
  // looks the title up. So the first create is tried without the lookup.
  if (round === 1 && identity === null && run.intent === null && census !== null) return null;

  const titles = [run.body.title];
  if (run.intent?.action === 'create' && run.intent.title !== run.body.title) titles.push(run.intent.title);
  for (const title of titles) {
    const page = await deps.confluence.findPageByTitle(target, space.id, title);
    if (page === null || tried.has(page.id)) continue;
    tried.add(page.id);
    const property = await deps.confluence.getProperty(target, page.id, PAGE_OWNERSHIP_PROPERTY_KEY);
    const ownership = readOwnership(property?.value);
    if (ownership?.externalId === externalId)
      return { page, ownership, ownershipProperty: property, via: 'title', completesCreate: false };
    if (ownership === null && (await createdByIntent(run, page))) {
      return { page, ownership: null, ownershipProperty: property, via: 'adopted', completesCreate: true };
    }
    if (title === run.body.title) {
      const owner =
        ownership === null
          ? 'Pagewire did not publish it'
          : `Pagewire published it for "${ownership.externalId}"`;
      throw new PermanentPublishError(
        'confluence_conflict',
        `A page titled "${title}" already exists in space ${run.job.spaceKey} (page ${page.id}) and ${owner}; ` +
          `choose another title for "${externalId}" or rename that page.`,
      );
    }
  }
  return null;
}

/**
 * Whether an earlier attempt's create may be unfinished: its intent is still
 * there, or an update intent that replaced it says so. Such a page's
 * ownership property is read (the rare recovery path) and written if missing.
 */
function intentCompletesCreate(intent: PublishIntent | null): boolean {
  if (intent === null) return false;
  return intent.action === 'create' || intent.completesCreate === true;
}

/** A page without our property that our own crashed create made: same title, version 1, our content. */
async function createdByIntent(run: Run, page: PublishedPage): Promise<boolean> {
  const intent = run.intent;
  if (intent?.action !== 'create' || intent.title !== page.title || intent.spaceId !== page.spaceId)
    return false;
  if (page.version.number !== 1 || page.body === null) return false;
  const sent = await documentOfJob(run, intent.jobId);
  return sent !== null && isAdfContainedIn(sent, page.body);
}

/** Whether the write an earlier attempt recorded is the one the page now shows. */
async function intentLanded(
  run: Run,
  page: PublishedPage,
  adopted: boolean,
): Promise<{ contentHash: string; jobId: string } | null> {
  const intent = run.intent;
  if (intent === null) return null;
  if (intent.action === 'create') {
    return adopted ? { contentHash: intent.contentHash, jobId: intent.jobId } : null;
  }
  if (intent.pageId !== page.id || page.version.number !== intent.targetVersion) return null;
  if (page.title !== intent.title || page.body === null) return null;
  const sent = await documentOfJob(run, intent.jobId);
  if (sent === null || !isAdfContainedIn(sent, page.body)) return null;
  return { contentHash: intent.contentHash, jobId: intent.jobId };
}

async function documentOfJob(run: Run, jobId: string): Promise<AdfDocument | null> {
  if (jobId === run.job.id) return run.document;
  const job = await run.deps.findJob(jobId);
  if (job === null) return null;
  const parsed = pageIngestBodySchema.safeParse(job.request);
  if (!parsed.success) return null;
  // An earlier job whose Markdown cannot be rendered cannot be the write that landed.
  return deriveDocument(parsed.data, run.deps.renderMarkdown).then(
    (derived) => derived.document,
    () => null,
  );
}

async function recordIntent(run: Run, intent: PublishIntent): Promise<void> {
  await run.deps.recordIntent(intent);
  run.intent = intent;
}

async function writeProperty(
  run: Run,
  pageId: string,
  key: string,
  value: unknown,
  existing: PageProperty | null,
): Promise<PageProperty> {
  const { confluence } = run.deps;
  try {
    return await confluence.putProperty(run.target, pageId, key, value, existing);
  } catch (error) {
    // Our copy of the property was stale (or it appeared since): read it and write once more.
    if (!isConflictError(error) && !isBadRequestError(error)) throw error;
    const fresh = await confluence.getProperty(run.target, pageId, key);
    return confluence.putProperty(run.target, pageId, key, value, fresh);
  }
}

function readIndexEntry(run: Run, census: IndexCensus): string | null {
  return census?.entries.get(run.externalId) ?? null;
}

/**
 * No credential can do this at all (a scope missing on every credential, or
 * the account is forbidden): trying again will not help until an admin acts.
 * A NoCredentialError (the app token expired, a fresh one is on its way) is
 * not one of these: that is retried later.
 */
function isPermanentCredentialProblem(error: unknown): boolean {
  return isScopeError(error) || isForbiddenError(error);
}

function planned(plan: PublishPlan, warnings: JobWarning[], detail: string): PublishResult {
  return { state: 'planned', plan, warnings, detail, ...(plan.pageId ? { pageId: plan.pageId } : {}) };
}
