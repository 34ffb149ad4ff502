/**
 * The scopes the Forge app requests (`manifest.yml` `permissions.scopes`), i.e.
 * what the app system token can do once an admin installs the app. The backend's
 * credential selector and the devkit's installations both read this list; a
 * backend test compares it with the manifest so the two never drift.
 */
export const FORGE_APP_SCOPES: readonly string[] = Object.freeze([
  'read:page:confluence',
  'write:page:confluence',
  'read:space:confluence',
  // The export reads whether a page carries a view restriction (v1 restrictions).
  'read:content-details:confluence',
  // With read:content-details, the v1 attachment upload of docs-as-code images (v2 has none).
  'write:attachment:confluence',
  'read:app-system-token',
  'read:confluence-content.summary',
]);
