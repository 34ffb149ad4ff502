import { createHash } from 'node:crypto';
import { type BlockPayload, blockPayloadSchema, snapshotPropertyKey } from '@pagewire/shared';
import type { AdfValidator } from '@pagewire/shared/adf-validator';
import { z } from 'zod';
import { renderBlockToAdf } from '../adf/block-to-adf';
import { canonicalJsonWithAdf } from '../adf/canonical-adf';
import { isContentTooComplexError } from '../adf/markdown-renderer';
import type { MarkdownConversion } from '../adf/markdown-to-adf';
import { buildSnapshotValue } from '../adf/snapshot-value';
import { isBadRequestError, isConflictError, isNotFoundError } from '../confluence/errors';
import type { BlockRepository } from '../store/block-repository';
import type { PlacementRepository } from '../store/placement-repository';
import type { SpaceSettingsRepository } from '../store/space-settings-repository';
import type { PageProperty, PublishingConfluence, PublishTarget } from './confluence-gateway';
import type { PublishResult } from './page-publisher';
import { PermanentPublishError } from './publish-errors';
import type { StoredJob } from './store/queue-repository';
import type { SnapshotRepository } from './store/snapshot-repository';

/** What a snapshot job asks for: refresh the snapshot of one macro instance. */
export const snapshotRequestSchema = z.object({
  blockKey: z.string(),
  contentId: z.string(),
  localId: z.string(),
});
export type SnapshotRequest = z.infer<typeof snapshotRequestSchema>;

export interface SnapshotPublishDeps {
  confluence: PublishingConfluence;
  snapshots: SnapshotRepository;
  now(): Date;
  blocks: BlockRepository;
  placements: PlacementRepository;
  spaceSettings: SpaceSettingsRepository;
  validator: AdfValidator;
  /** Markdown→ADF: the render pool in the running backend (off the HTTP thread, under a time budget). */
  renderMarkdown(markdown: string): Promise<MarkdownConversion>;
}

/** Another writer touching the same property: re-read and write again, this often at most. */
const MAX_PROPERTY_ROUNDS = 3;

/**
 * Writes the block's *current* content (not the content at the time the job
 * was queued: many block updates coalesce into one write of the latest) to the
 * page property `pagewire.snapshot.<localId>`. A property write creates no page
 * version, so watchers get no notification. Idempotent by comparison: a
 * property that already holds this content is left alone, which is also what
 * makes a job interrupted after its write safe to run again (its PUT from the
 * record then meets a 409, and the re-read finds the content already there).
 */
export async function publishSnapshot(job: StoredJob, deps: SnapshotPublishDeps): Promise<PublishResult> {
  const request = snapshotRequestSchema.parse(job.request);
  const target: PublishTarget = { installationId: job.installationId, spaceKey: job.spaceKey };
  const where = `page ${request.contentId} (macro ${request.localId})`;

  const { settings } = await deps.spaceSettings.get(job.installationId, job.spaceKey);
  if (settings.publishingPolicy !== 'snapshot') {
    return {
      state: 'unchanged',
      pageId: request.contentId,
      detail: `Space ${job.spaceKey} shows blocks live; no snapshot written to ${where}`,
    };
  }
  const placements = await deps.placements.listForBlock(job.installationId, job.spaceKey, request.blockKey);
  const placement = placements.find(
    (p) => p.contentId === request.contentId && p.localId === request.localId,
  );
  if (!placement) {
    return {
      state: 'unchanged',
      pageId: request.contentId,
      detail: `The macro on ${where} no longer shows block "${request.blockKey}"`,
    };
  }
  const stored = await deps.blocks.find(job.installationId, job.spaceKey, request.blockKey);
  if (stored === null) {
    return {
      state: 'unchanged',
      pageId: request.contentId,
      detail: `Block "${request.blockKey}" no longer exists; the snapshot on ${where} was left as it is`,
    };
  }
  const payload = blockPayloadSchema.parse({
    kind: stored.kind,
    title: stored.title,
    content: stored.content,
  }) as BlockPayload;
  const adf = await renderBlockToAdf({ ...payload, source: stored.source }, deps.renderMarkdown).catch(
    (error: unknown) => {
      if (isContentTooComplexError(error)) {
        throw new PermanentPublishError(
          'content_too_complex',
          `Block "${request.blockKey}" cannot be written as a snapshot: ${error.message}.`,
        );
      }
      throw error;
    },
  );
  const validation = deps.validator.validate(adf);
  if (!validation.valid) {
    throw new PermanentPublishError(
      'validation_failed',
      `Block "${request.blockKey}" does not render to valid ADF (${validation.errors[0]?.message ?? 'invalid'}).`,
    );
  }
  const snapshot = buildSnapshotValue({
    blockKey: stored.key,
    revision: stored.revision,
    title: stored.title,
    adf,
    updatedAt: stored.updatedAt,
  });
  const warnings = snapshot.truncated
    ? [
        {
          code: 'snapshot_truncated',
          detail: `Block "${stored.key}" is ${Math.ceil(snapshot.fullBytes / 1024)} KB as ADF; a page property holds 32 KB, so the snapshot shows its beginning and says so.`,
        },
      ]
    : [];

  const key = snapshotPropertyKey(request.localId);
  const wanted = canonicalJsonWithAdf(snapshot.value);
  const wantedHash = createHash('sha256').update(wanted).digest('hex');
  const remember = (property: { id: string; version: number } | null) =>
    deps.snapshots.record({
      installationId: job.installationId,
      contentId: request.contentId,
      localId: request.localId,
      blockKey: stored.key,
      revision: stored.revision,
      propertyVersion: property?.version ?? 0,
      propertyId: property?.id ?? null,
      valueHash: property === null ? null : wantedHash,
      writtenAt: deps.now().toISOString(),
    });
  const unchanged = (version: number): PublishResult => ({
    state: 'unchanged',
    pageId: request.contentId,
    version,
    warnings,
    detail: `Snapshot of "${stored.title}" on ${where} already shows revision ${stored.revision}`,
  });
  const written = (property: PageProperty): PublishResult => ({
    state: 'published',
    pageId: request.contentId,
    version: property.version,
    warnings,
    detail: `Snapshot of "${stored.title}" (revision ${stored.revision}) written to ${where}${snapshot.truncated ? ', cut to 32 KB' : ''}`,
  });

  // The happy path: the backend knows the property's id and version and what
  // it holds, so an unchanged snapshot costs nothing and a changed one is one
  // PUT of version + 1. A 409 (someone else wrote it), a 404 (it or the page is
  // gone) or a 400 send it down the reading path below.
  const record = await deps.snapshots.find(job.installationId, request.contentId, request.localId);
  if (record !== null && record.propertyId !== null && record.propertyVersion > 0) {
    if (record.valueHash === wantedHash) return unchanged(record.propertyVersion);
    try {
      const property = await deps.confluence.putProperty(
        target,
        request.contentId,
        key,
        snapshot.value,
        { id: record.propertyId, key, value: null, version: record.propertyVersion },
        placement.contentType,
      );
      await remember(property);
      return written(property);
    } catch (error) {
      if (!isConflictError(error) && !isNotFoundError(error) && !isBadRequestError(error)) throw error;
    }
  }

  for (let round = 1; ; round += 1) {
    let existing: PageProperty | null;
    try {
      existing = await deps.confluence.getProperty(target, request.contentId, key, placement.contentType);
    } catch (error) {
      if (!isNotFoundError(error)) throw error;
      // The page is gone (or hidden from us). Nothing to refresh; remembered as
      // handled, so the search for missed refreshes does not retry it forever.
      await remember(null);
      return {
        state: 'unchanged',
        pageId: request.contentId,
        warnings,
        detail: `Page ${request.contentId} no longer exists (or Pagewire may not see it); no snapshot written`,
      };
    }
    if (existing !== null && canonicalJsonWithAdf(existing.value) === wanted) {
      await remember(existing);
      return unchanged(existing.version);
    }
    let property: PageProperty;
    try {
      property = await deps.confluence.putProperty(
        target,
        request.contentId,
        key,
        snapshot.value,
        existing,
        placement.contentType,
      );
    } catch (error) {
      // Someone else wrote the property since we read it: read it again and decide again.
      if ((isConflictError(error) || isBadRequestError(error)) && round < MAX_PROPERTY_ROUNDS) continue;
      throw error;
    }
    await remember(property);
    return written(property);
  }
}
