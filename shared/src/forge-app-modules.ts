/**
 * The manifest modules (`manifest.yml`) whose calls reach the backend without
 * a signed `context`, and so may carry a Pagewire envelope or Forge's event
 * payload. The backend's invocation-origin rule reads these lists; a backend
 * test compares them with the manifest so the two never drift.
 *
 * - `functions`: the UI modules whose resolver is a Forge function, and those
 *   functions. The function calls `invokeRemote` from `@forge/api`; which of
 *   the two keys Forge reports as `app.module.key` is not documented, so both count.
 * - `triggers`: the endpoints Forge POSTs lifecycle, scheduled and content events to.
 */
export const FORGE_ENVELOPE_SENDERS = Object.freeze({
  functions: Object.freeze([
    'pagewire-block',
    'pagewire-space-settings',
    'pagewire-page-notice',
    'macro-resolver',
    'settings-resolver',
    'page-notice-resolver',
  ]) as readonly string[],
  triggers: Object.freeze([
    'backend-lifecycle',
    'backend-token-refresh',
    'backend-uninstall',
    'backend-content-events',
  ]) as readonly string[],
});
