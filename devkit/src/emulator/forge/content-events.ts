import { z } from 'zod';
import type { EmulatorState, Installation, Page, Site } from '../state/emulator-state';
import { mintInvocationToken } from './invocation-tokens';
import type { SigningKeyRing } from './signing-keys';

/**
 * Confluence's page and blog post product events, delivered the way Forge
 * delivers them to an app's remote `trigger` endpoint
 * (docs/platform-notes.md#confluence-content-events): a POST of the event
 * payload (`eventType`, `atlassianId`, `content {id, type, status, title,
 * space, history}`, `prevContent` on moves) with a FIT whose `app.module` is
 * `core:endpoint` + the endpoint's key, answered within 5 s, redelivered up to
 * 4 times after a non-2xx answer or a timeout, each retry carrying
 * `retryContext` (docs/platform-notes.md#lifecycle-events). Deliveries never
 * hold up the Confluence call that caused them.
 *
 * Every page change made through the emulator's API calls `emitContentEvent`,
 * including a person's edit through the Dev API; each installation of the
 * page's site that subscribed (`PUT /_dev/forge/installations/{id}/content-events`)
 * gets the events it asked for.
 */

export const CONTENT_EVENT_ACTIONS = [
  'created',
  'updated',
  'moved',
  'archived',
  'unarchived',
  'trashed',
  'restored',
  'deleted',
] as const;
export type ContentEventAction = (typeof CONTENT_EVENT_ACTIONS)[number];

export const contentEventSubscriptionSchema = z.strictObject({
  /** The app's trigger endpoint (the remote's base URL + the endpoint's `route.path`). */
  url: z.url(),
  /** The trigger's event names; every page and blog post change when left out. */
  events: z.array(z.string().regex(/^avi:confluence:[a-z_]+:(page|blogpost)$/)).optional(),
  /** The endpoint's manifest key, what the FIT's `app.module.key` names. */
  moduleKey: z.string().min(1).max(255).default('backend-content-events'),
  /** Forge waits 60 s between redeliveries; tests shorten it. */
  retryDelayMs: z.number().int().min(0).max(600_000).default(60_000),
  timeoutMs: z.number().int().min(1).max(60_000).default(5_000),
});
export type ContentEventSubscription = z.output<typeof contentEventSubscriptionSchema>;

export interface ContentEventDelivery {
  readonly seq: number;
  readonly installationId: string;
  readonly eventType: string;
  readonly contentId: string;
  readonly attempt: number;
  /** The endpoint's status, or `network_error` / `timeout`. */
  readonly outcome: number | 'network_error' | 'timeout';
  readonly at: string;
}

export interface ContentEventEmitter {
  subscribe(installationId: string, subscription: ContentEventSubscription): void;
  unsubscribe(installationId: string): boolean;
  emit(change: ContentChange): void;
  deliveries(): readonly ContentEventDelivery[];
  /** Resolves once every delivery started so far (retries included) has finished. */
  idle(): Promise<void>;
  clear(): void;
}

export interface ContentChange {
  readonly site: Site;
  readonly page: Page;
  readonly action: ContentEventAction;
  /** Who made the change (the app's bot account for an app's write). */
  readonly accountId: string;
}

const MAX_RETRIES = 4;
const MAX_LOG = 20_000;
const emitters = new WeakMap<EmulatorState, ContentEventEmitter>();

/** The one call the page operations make on every change (a no-op until an emulator registers its emitter). */
export function emitContentEvent(state: EmulatorState, change: ContentChange): void {
  emitters.get(state)?.emit(change);
}

export function createContentEventEmitter(dependencies: {
  state: EmulatorState;
  keys: SigningKeyRing;
  baseUrl: () => string;
  now: () => number;
}): ContentEventEmitter {
  const { state, keys } = dependencies;
  const subscriptions = new Map<string, ContentEventSubscription>();
  const log: ContentEventDelivery[] = [];
  const running = new Set<Promise<void>>();
  let seq = 0;

  function payloadOf(change: ContentChange): Record<string, unknown> {
    const { site, page } = change;
    const kind = page.contentType === 'blogpost' ? 'blogpost' : 'page';
    const space = site.spaces.get(page.spaceId);
    const latest = page.versions.at(-1)!;
    const user = (accountId: string) => {
      const account = state.accountsById.get(accountId);
      return {
        type: 'known',
        accountId,
        accountType: [...state.installations.values()].some((i) => i.appAccountId === accountId)
          ? 'app'
          : 'atlassian',
        displayName: account?.displayName ?? accountId,
      };
    };
    // Only the documented fields: a move is told by the event type, not by a parent in the payload.
    const content = () => ({
      id: page.id,
      type: kind,
      status: page.status === 'deleted' ? 'trashed' : page.status,
      title: latest.title,
      space: {
        id: Number(page.spaceId),
        key: space?.key ?? '',
        name: space?.name ?? '',
        type: 'global',
        status: 'current',
      },
      history: {
        latest: true,
        createdBy: user(latest.authorId),
        createdDate: latest.createdAt.toISOString(),
      },
    });
    return {
      eventType: `avi:confluence:${change.action}:${kind}`,
      atlassianId: change.accountId,
      content: content(),
      ...(change.action === 'moved' ? { prevContent: content() } : {}),
    };
  }

  async function deliver(
    installation: Installation,
    subscription: ContentEventSubscription,
    payload: Record<string, unknown>,
  ): Promise<void> {
    const apiBaseUrl = `${dependencies.baseUrl()}/ex/confluence/${installation.cloudId}`;
    let retryReason: string | null = null;
    for (let attempt = 1; attempt <= MAX_RETRIES + 1; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, subscription.retryDelayMs));
      if (subscriptions.get(installation.installationId) !== subscription) return;
      const body: Record<string, unknown> =
        retryReason === null
          ? payload
          : { ...payload, retryContext: { retryCount: attempt - 1, retryReason, retryData: null } };
      // Events run with no user and no UI context: a function-style FIT of the endpoint.
      const token = await mintInvocationToken(
        keys,
        { installation, apiBaseUrl, moduleType: 'core:endpoint', moduleKey: subscription.moduleKey },
        Math.floor(dependencies.now() / 1000),
      );
      let outcome: ContentEventDelivery['outcome'];
      try {
        const response: Response = await fetch(subscription.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(subscription.timeoutMs),
        });
        await response.arrayBuffer();
        outcome = response.status;
      } catch (error) {
        outcome = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network_error';
      }
      seq += 1;
      log.push({
        seq,
        installationId: installation.installationId,
        eventType: String(payload.eventType),
        contentId: String((payload.content as { id: string }).id),
        attempt,
        outcome,
        at: new Date(dependencies.now()).toISOString(),
      });
      if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
      if (typeof outcome === 'number' && outcome >= 200 && outcome < 300) return;
      retryReason =
        outcome === 'timeout'
          ? 'TIMEOUT_ERROR'
          : outcome === 401
            ? 'INVALID_FORGE_INVOCATION_TOKEN'
            : 'INVALID_REMOTE_INVOCATION_ERROR';
    }
  }

  return {
    subscribe(installationId, subscription) {
      subscriptions.set(installationId, subscription);
    },
    unsubscribe(installationId) {
      return subscriptions.delete(installationId);
    },
    emit(change) {
      let payload: Record<string, unknown> | null = null;
      for (const [installationId, subscription] of subscriptions) {
        const installation = state.installations.get(installationId);
        if (installation?.cloudId !== change.site.cloudId) continue;
        payload ??= payloadOf(change);
        if (subscription.events !== undefined && !subscription.events.includes(String(payload.eventType)))
          continue;
        const delivery: Promise<void> = deliver(installation, subscription, payload)
          .catch(() => {})
          .finally(() => running.delete(delivery));
        running.add(delivery);
      }
    },
    deliveries: () => [...log],
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    clear() {
      subscriptions.clear();
      log.length = 0;
    },
  };
}

/** Makes `emitContentEvent` on this state reach this emitter. */
export function registerContentEventEmitter(state: EmulatorState, emitter: ContentEventEmitter): void {
  emitters.set(state, emitter);
}
