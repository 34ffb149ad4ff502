import type {
  ContentType,
  ForgeEventPayload,
  OperationName,
  OperationOutput,
  ParsedOperationInput,
} from '@pagewire/shared';
import type { Logger } from 'pino';
import type { VerifiedInvocation } from '../../auth/forge-invocation-token';
import type { UseCases } from '../../use-cases';
import type { SpaceScope } from '../../use-cases/blocks';

/**
 * The context an operation runs in, after the envelope rules
 * (docs/BACKEND.md, "Whose context wins"): from the signed FIT on
 * UI-originated calls, from the envelope on function-originated ones, and
 * only the installation on trigger-originated ones.
 */
export interface EffectiveContext {
  origin: 'function' | 'ui' | 'trigger';
  cloudId: string;
  accountId: string | null;
  siteUrl: string | null;
  spaceKey: string | null;
  spaceId: string | null;
  contentId: string | null;
  /** What `contentId` is; null when the caller did not say (then it is taken for a page). */
  contentType: ContentType | null;
  localId: string | null;
  /** Only ever true on function-originated calls whose envelope said so. */
  isSpaceAdmin: boolean;
}

export interface OperationCall<Name extends OperationName> {
  invocation: VerifiedInvocation;
  context: EffectiveContext;
  input: ParsedOperationInput<Name>;
  /** Forge's event payload when a trigger called a lifecycle endpoint directly. */
  event: ForgeEventPayload | null;
  log: Logger;
}

export type OperationHandler<Name extends OperationName> = (
  call: OperationCall<Name>,
) => Promise<OperationOutput<Name>>;

export type OperationHandlers = { [Name in OperationName]: OperationHandler<Name> };

/** What the Forge operation handlers translate to: the use cases, nothing below them. */
export interface OperationDeps {
  useCases: UseCases;
}

/** The space key of a call the router already checked names one (`needsSpace`). */
export function spaceOf(context: EffectiveContext): string {
  if (context.spaceKey === null) throw new Error('an operation that needs a space ran without one');
  return context.spaceKey;
}

export function actorOf(context: EffectiveContext): string {
  return context.accountId ?? 'unknown';
}

/** The installation and space a call that needs a space runs in. */
export function scopeOf(call: { invocation: VerifiedInvocation; context: EffectiveContext }): SpaceScope {
  return { installationId: call.invocation.installationId, spaceKey: spaceOf(call.context) };
}
