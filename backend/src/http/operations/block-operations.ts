import type { AdfDocument, Block } from '@pagewire/shared';
import type { Logger } from 'pino';
import { isContentTooComplexError } from '../../adf/markdown-renderer';
import { deleteBlock, describeDeletion, listBlocksWithPlacements } from '../../blocks/block-inventory';
import { ProblemError } from '../problem-error';
import type { OperationDeps, OperationHandlers } from './operation-types';
import { spaceOf } from './operation-types';

/**
 * Rendering Markdown to ADF took ~1.1 ms of CPU for a short block, more than
 * the rest of a `blocks.get` together (bench/state-scale.ts reads Markdown
 * blocks), and its result depends on the content alone. Renderings are kept
 * by content hash, bounded both in count and in the Markdown they stand for
 * (the ADF is a few times larger), so the memory they hold stays in the low
 * tens of MB whatever the blocks are. A rendering that failed because the
 * content is too complex (over the renderer's time budget) is kept too, as
 * "no rendering": the macro then shows the Markdown as plain text, and the
 * next view does not spend another budget on it.
 */
const RENDERED_MAX_ENTRIES = 2_000;
const RENDERED_MAX_MARKDOWN_CHARS = 4_000_000;

interface RenderedEntry {
  document: AdfDocument | null;
  chars: number;
}

function createRenderedMarkdownCache(render: (markdown: string) => Promise<AdfDocument>, logger?: Logger) {
  const entries = new Map<string, RenderedEntry>();
  let chars = 0;
  return async (contentHash: string, markdown: string): Promise<AdfDocument | null> => {
    const hit = entries.get(contentHash);
    if (hit !== undefined) {
      // Re-inserted so the Map's order stays least recently used first.
      entries.delete(contentHash);
      entries.set(contentHash, hit);
      return hit.document;
    }
    let document: AdfDocument | null;
    try {
      document = await render(markdown);
    } catch (error) {
      if (!isContentTooComplexError(error)) {
        // Not the content's fault (the renderer is shutting down): show plain text this once.
        logger?.warn({ err: error }, 'a Markdown block could not be rendered for the macro');
        return null;
      }
      document = null;
    }
    if (markdown.length > RENDERED_MAX_MARKDOWN_CHARS / 4) return document;
    while (
      entries.size > 0 &&
      (entries.size >= RENDERED_MAX_ENTRIES || chars + markdown.length > RENDERED_MAX_MARKDOWN_CHARS)
    ) {
      const [oldestHash, oldest] = entries.entries().next().value!;
      entries.delete(oldestHash);
      chars -= oldest.chars;
    }
    entries.set(contentHash, { document, chars: markdown.length });
    chars += markdown.length;
    return document;
  };
}

export function createBlockOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'blocks.list' | 'blocks.get' | 'blocks.overview' | 'blocks.delete'> {
  const renderMarkdown =
    deps.renderMarkdown === undefined
      ? undefined
      : createRenderedMarkdownCache(deps.renderMarkdown, deps.logger);
  return {
    async 'blocks.list'(call) {
      const blocks = await deps.repositories.blocks.list(
        call.invocation.installationId,
        spaceOf(call.context),
      );
      return { blocks };
    },

    async 'blocks.overview'(call) {
      return listBlocksWithPlacements(
        deps.repositories,
        call.invocation.installationId,
        spaceOf(call.context),
      );
    },

    async 'blocks.delete'(call) {
      const spaceKey = spaceOf(call.context);
      const deletion = await deleteBlock(deps.repositories, {
        installationId: call.invocation.installationId,
        spaceKey,
        key: call.input.key,
        by: { kind: 'user', id: call.context.accountId ?? 'unknown' },
        now: deps.now(),
      });
      if (deletion === null) {
        throw new ProblemError(
          'block_not_found',
          `There is no block "${call.input.key}" in space ${spaceKey}.`,
        );
      }
      return { deleted: true };
    },

    async 'blocks.get'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const view = await deps.repositories.blocks.findForView(installationId, spaceKey, call.input.key);
      if (view === null) {
        const deletion = await deps.repositories.blocks.findDeletion(
          installationId,
          spaceKey,
          call.input.key,
        );
        if (deletion !== null) throw new ProblemError('block_deleted', describeDeletion(deletion));
        throw new ProblemError(
          'block_not_found',
          `There is no block "${call.input.key}" in space ${spaceKey}.`,
        );
      }
      const stored = view.block;
      // Record where the block is shown, so a change can refresh those pages.
      if (call.context.contentId !== null && call.context.localId !== null) {
        const placement = {
          installationId,
          spaceKey,
          blockKey: stored.key,
          contentId: call.context.contentId,
          contentType: call.context.contentType ?? 'page',
          localId: call.context.localId,
        };
        const at = deps.now();
        if (await deps.repositories.placements.record(placement, at)) {
          // A newly seen placement gets its snapshot now rather than at the next block change.
          await deps.placementEvents?.publish({ ...placement, at });
        }
      }
      const ageMs = deps.now().getTime() - Date.parse(stored.updatedAt);
      const block = {
        key: stored.key,
        kind: stored.kind,
        title: stored.title,
        content: stored.content,
        revision: stored.revision,
        updatedAt: stored.updatedAt,
        source: stored.source,
      } as Block;
      const rendered =
        stored.kind === 'markdown' && renderMarkdown !== undefined && typeof stored.content === 'string'
          ? await renderMarkdown(view.contentHash, stored.content)
          : null;
      return {
        block,
        stale: ageMs > view.staleAfterMinutes * 60_000,
        staleAfterMinutes: view.staleAfterMinutes,
        ...(rendered === null ? {} : { rendered }),
      };
    },
  };
}
