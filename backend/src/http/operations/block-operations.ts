import type { Block } from '@pagewire/shared';
import { ProblemError } from '../problem-error';
import type { OperationDeps, OperationHandlers } from './operation-types';
import { spaceOf } from './operation-types';

export function createBlockOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'blocks.list' | 'blocks.get'> {
  return {
    async 'blocks.list'(call) {
      const blocks = await deps.repositories.blocks.list(
        call.invocation.installationId,
        spaceOf(call.context),
      );
      return { blocks };
    },

    async 'blocks.get'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const stored = await deps.repositories.blocks.find(installationId, spaceKey, call.input.key);
      if (stored === null) {
        throw new ProblemError(
          'block_not_found',
          `There is no block "${call.input.key}" in space ${spaceKey}.`,
        );
      }
      // Record where the block is shown, so a change can refresh those pages.
      if (call.context.contentId !== null && call.context.localId !== null) {
        const placement = {
          installationId,
          spaceKey,
          blockKey: stored.key,
          contentId: call.context.contentId,
          localId: call.context.localId,
        };
        const at = deps.now();
        if (await deps.repositories.placements.record(placement, at)) {
          // A newly seen placement gets its snapshot now rather than at the next block change.
          await deps.placementEvents?.publish({ ...placement, at });
        }
      }
      const { settings } = await deps.repositories.spaceSettings.get(installationId, spaceKey);
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
        stored.kind === 'markdown' && deps.renderMarkdown !== undefined && typeof stored.content === 'string'
          ? deps.renderMarkdown(stored.content)
          : undefined;
      return {
        block,
        stale: ageMs > settings.staleAfterMinutes * 60_000,
        staleAfterMinutes: settings.staleAfterMinutes,
        ...(rendered === undefined ? {} : { rendered }),
      };
    },
  };
}
