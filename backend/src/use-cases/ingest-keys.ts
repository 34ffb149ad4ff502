import { randomUUID } from 'node:crypto';
import { generateIngestKey } from '../auth/ingest-key';
import { ProblemError } from '../domain/problem-error';
import type { SpaceScope } from './blocks';
import type { ActivityLog, IngestKeyStore } from './ports';

export interface IngestKeyUseCasesDeps {
  ingestKeys: IngestKeyStore;
  activity: ActivityLog;
  now: () => Date;
}

/** A space admin managing the space's keys. */
export interface KeyAdmin extends SpaceScope {
  accountId: string;
}

export interface IngestKeyUseCases {
  /** A new key for a source; the secret is in the answer only (it is stored hashed). */
  create(admin: KeyAdmin, source: string): Promise<{ id: string; source: string; key: string }>;
  /** Revokes a key; revoking a revoked key changes nothing and succeeds. */
  revoke(admin: KeyAdmin, id: string): Promise<{ revoked: true }>;
}

export function createIngestKeyUseCases(deps: IngestKeyUseCasesDeps): IngestKeyUseCases {
  return {
    async create(admin, source) {
      const { installationId, spaceKey, accountId } = admin;
      const now = deps.now();
      // Two live keys under one name could not be told apart in the activity log or the block list.
      const wanted = source.trim().toLowerCase();
      const existing = await deps.ingestKeys.list(installationId, spaceKey);
      if (existing.some((key) => key.revokedAt === null && key.source.trim().toLowerCase() === wanted)) {
        throw new ProblemError(
          'source_name_taken',
          `A source named "${source}" already has a key in space ${spaceKey}.`,
          { errors: [{ path: '/source', message: 'another source in this space already has this name' }] },
        );
      }
      const { key, hash, prefix } = generateIngestKey();
      const id = randomUUID();
      await deps.ingestKeys.create({
        id,
        installationId,
        spaceKey,
        source,
        keyHash: hash,
        prefix,
        createdAt: now.toISOString(),
        createdBy: accountId,
      });
      await deps.activity.append({
        installationId,
        spaceKey,
        actor: { kind: 'user', id: accountId },
        action: 'ingest_key.created',
        result: 'ok',
        detail: `Ingest key ${prefix}… created for source "${source}".`,
        at: now,
      });
      // The only time the key leaves the backend: it is not stored, so it cannot be shown again.
      return { id, source, key };
    },

    async revoke(admin, id) {
      const { installationId, spaceKey, accountId } = admin;
      const now = deps.now();
      const outcome = await deps.ingestKeys.revoke(installationId, spaceKey, id, accountId, now);
      if (outcome === 'not_found') {
        throw new ProblemError(
          'ingest_key_not_found',
          `There is no ingest key "${id}" in space ${spaceKey}.`,
        );
      }
      if (outcome === 'revoked') {
        await deps.activity.append({
          installationId,
          spaceKey,
          actor: { kind: 'user', id: accountId },
          action: 'ingest_key.revoked',
          result: 'ok',
          detail: `Ingest key ${id} revoked; it is refused from now on.`,
          at: now,
        });
      }
      return { revoked: true as const };
    },
  };
}
