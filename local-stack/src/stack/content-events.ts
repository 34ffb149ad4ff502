import type { DevApiClient } from '@pagewire/devkit';

/** The backend's route for Confluence content events (the manifest's `backend-content-events` endpoint). */
export const BACKEND_CONTENT_EVENTS_PATH = '/forge/v1/events/content';

/**
 * Points the emulator's content events for the demo installation at the
 * backend, as the manifest's `pagewire-content-events` trigger does in
 * Forge, so an edit made in the emulator (the preview's editor, the Dev API)
 * reaches the backend and its webhooks (docs/WEBHOOKS.md). PUT replaces the
 * subscription, so doing it at every start is idempotent and follows a
 * backend port that changed since the last run.
 */
export async function subscribeBackendToContentEvents(
  dev: DevApiClient,
  installationId: string,
  backendUrl: string,
): Promise<void> {
  await dev.subscribeContentEvents(installationId, { url: `${backendUrl}${BACKEND_CONTENT_EVENTS_PATH}` });
}
