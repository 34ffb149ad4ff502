import Resolver from '@forge/resolver';
import { fieldErrorsFrom, type OperationName, type OperationResult, operations } from '@pagewire/shared';
import type { AdfExportDependencies } from '../adf-export/macro-adf-export';
import type { BackendClient } from './backend-client';
import { invocationContextFrom, type PlatformContext } from './platform-context';
import { resolverError } from './resolver-errors';
import type { SpaceAdminCheck } from './space-admin-check';

export interface ResolverDependencies {
  backend: BackendClient;
  checkSpaceAdmin: SpaceAdminCheck;
  /** Reads page content properties as the app (the macro's snapshot fallback when the backend is down). */
  snapshots?: AdfExportDependencies;
}

export interface OperationResolverSpec {
  /** The manifest module whose frontend may call these keys; any other module is refused. */
  moduleKey: string;
  operations: readonly OperationName[];
  /**
   * Read operations that still ask Confluence whether the user administers the
   * space, so the backend can tell the page whether to offer editing.
   */
  reportAdminOn?: readonly OperationName[];
  /** Gets the backend's answer and may replace a failure (the macro's snapshot fallback). */
  afterCall?: (
    name: OperationName,
    result: OperationResult<OperationName>,
    input: unknown,
    platform: PlatformContext,
  ) => Promise<OperationResult<OperationName>>;
}

/** The handler Forge calls: `@forge/resolver`'s `getDefinitions()`. */
export type ResolverHandler = ReturnType<Resolver['getDefinitions']>;

/**
 * One resolver key per backend operation, named like the operation, so the
 * frontend's `invoke('settings.update', input)` and the backend's
 * `POST /forge/v1/settings.update` read the same.
 */
export function createOperationResolver(
  spec: OperationResolverSpec,
  deps: ResolverDependencies,
): ResolverHandler {
  const resolver = new Resolver();
  for (const name of spec.operations) {
    resolver.define(name, async ({ payload, context }: { payload: unknown; context: PlatformContext }) =>
      runOperation(name, payload, context, spec, deps),
    );
  }
  return resolver.getDefinitions();
}

async function runOperation<Name extends OperationName>(
  name: Name,
  payload: unknown,
  platform: PlatformContext,
  spec: OperationResolverSpec,
  deps: ResolverDependencies,
): Promise<OperationResult<Name>> {
  // Forge routes a module's invokes to its own resolver function, but any
  // module sharing a resolver could call any key (docs/platform-notes.md#resolver-context-and-payload-trust); the
  // module key comes from the platform, so this check cannot be spoofed.
  if (platform.moduleKey !== spec.moduleKey) return { ok: false, error: resolverError('wrong_module') };

  const operation = operations[name];
  // The payload is the operation's input and nothing else: the input schemas
  // are strict, so a payload that also claims a space, a user or an admin flag
  // is refused here and never reaches the backend.
  const input = operation.input.safeParse(payload ?? {});
  if (!input.success) {
    return {
      ok: false,
      error: resolverError('validation_failed', { fieldErrors: fieldErrorsFrom(input.error) }),
    };
  }

  const base = invocationContextFrom(platform);
  if (!base.ok) return base;
  if (operation.needsSpace && (!base.data.spaceKey || !base.data.spaceId)) {
    return { ok: false, error: resolverError('space_required') };
  }

  let isSpaceAdmin: boolean | undefined;
  if (operation.access === 'admin' || spec.reportAdminOn?.includes(name)) {
    const spaceId = base.data.spaceId;
    if (!spaceId) return { ok: false, error: resolverError('space_required') };
    const check = await deps.checkSpaceAdmin(spaceId);
    if (!check.ok) return check;
    isSpaceAdmin = check.data;
    if (operation.access === 'admin' && !isSpaceAdmin) {
      return { ok: false, error: resolverError('not_space_admin') };
    }
  }

  const context = isSpaceAdmin === undefined ? base.data : { ...base.data, isSpaceAdmin };
  const result = await deps.backend.call(name, context, input.data);
  if (spec.afterCall === undefined) return result;
  return (await spec.afterCall(name, result, input.data, platform)) as OperationResult<Name>;
}
