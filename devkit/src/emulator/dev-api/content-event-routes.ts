import type { ContentEventEmitter } from '../forge/content-events';
import { contentEventSubscriptionSchema } from '../forge/content-events';
import type { EmulatorState } from '../state/emulator-state';

/**
 * The Dev API of the content events (docs/DEVKIT.md, "Content events"):
 * `PUT /_dev/forge/installations/{id}/content-events` plays the app's
 * `trigger` module (which endpoint, which events), `DELETE` removes it,
 * `GET /_dev/forge/content-events` lists the delivery attempts made.
 */
export interface ContentEventRouteResult {
  status: number;
  body?: unknown;
  invalid?: { path: string; message: string };
  notFound?: string;
}

export function createContentEventRoutes(state: EmulatorState, emitter: ContentEventEmitter) {
  return {
    subscribe(installationId: string, body: unknown): ContentEventRouteResult {
      if (!state.installations.has(installationId))
        return { status: 404, notFound: 'There is no installation with this id.' };
      const parsed = contentEventSubscriptionSchema.safeParse(body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return { status: 400, invalid: { path: `/${issue.path.join('/')}`, message: issue.message } };
      }
      emitter.subscribe(installationId, parsed.data);
      return { status: 200, body: { installationId, ...parsed.data } };
    },
    unsubscribe(installationId: string): ContentEventRouteResult {
      return emitter.unsubscribe(installationId)
        ? { status: 204 }
        : { status: 404, notFound: 'This installation has no content-event trigger.' };
    },
    async deliveries(wait: boolean): Promise<ContentEventRouteResult> {
      if (wait) await emitter.idle();
      return { status: 200, body: { deliveries: emitter.deliveries() } };
    },
  };
}
