import { randomUUID } from 'node:crypto';
import { generateIngestKey } from '../../auth/ingest-key';
import { ProblemError } from '../problem-error';
import type { OperationDeps, OperationHandlers } from './operation-types';
import { actorOf, spaceOf } from './operation-types';

export function createIngestKeyOperations(
  deps: OperationDeps,
): Pick<OperationHandlers, 'ingestKeys.create' | 'ingestKeys.revoke'> {
  return {
    async 'ingestKeys.create'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const now = deps.now();
      // Two live keys under one name could not be told apart in the activity log or the block list.
      const wanted = call.input.source.trim().toLowerCase();
      const existing = await deps.repositories.ingestKeys.list(installationId, spaceKey);
      if (existing.some((key) => key.revokedAt === null && key.source.trim().toLowerCase() === wanted)) {
        throw new ProblemError(
          'source_name_taken',
          `A source named "${call.input.source}" already has a key in space ${spaceKey}.`,
          { errors: [{ path: '/source', message: 'another source in this space already has this name' }] },
        );
      }
      const { key, hash, prefix } = generateIngestKey();
      const id = randomUUID();
      await deps.repositories.ingestKeys.create({
        id,
        installationId,
        spaceKey,
        source: call.input.source,
        keyHash: hash,
        prefix,
        createdAt: now.toISOString(),
        createdBy: actorOf(call.context),
      });
      await deps.repositories.activity.append({
        installationId,
        spaceKey,
        actor: { kind: 'user', id: actorOf(call.context) },
        action: 'ingest_key.created',
        result: 'ok',
        detail: `Ingest key ${prefix}… created for source "${call.input.source}".`,
        at: now,
      });
      // The only time the key leaves the backend: it is not stored, so it cannot be shown again.
      return { id, source: call.input.source, key };
    },

    async 'ingestKeys.revoke'(call) {
      const installationId = call.invocation.installationId;
      const spaceKey = spaceOf(call.context);
      const now = deps.now();
      const outcome = await deps.repositories.ingestKeys.revoke(
        installationId,
        spaceKey,
        call.input.id,
        actorOf(call.context),
        now,
      );
      if (outcome === 'not_found') {
        throw new ProblemError(
          'ingest_key_not_found',
          `There is no ingest key "${call.input.id}" in space ${spaceKey}.`,
        );
      }
      if (outcome === 'revoked') {
        await deps.repositories.activity.append({
          installationId,
          spaceKey,
          actor: { kind: 'user', id: actorOf(call.context) },
          action: 'ingest_key.revoked',
          result: 'ok',
          detail: `Ingest key ${call.input.id} revoked; it is refused from now on.`,
          at: now,
        });
      }
      return { revoked: true as const };
    },
  };
}
