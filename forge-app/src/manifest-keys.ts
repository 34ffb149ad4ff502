/**
 * Keys the code shares with the root manifest.yml. A test reads the manifest
 * and fails when the two drift apart, because a renamed module key would make
 * every resolver refuse its own frontend (`wrong_module`).
 */
export const MACRO_MODULE_KEY = 'pagewire-block';
export const SPACE_SETTINGS_MODULE_KEY = 'pagewire-space-settings';
export const BACKEND_REMOTE_KEY = 'backend';
export const PAGE_NOTICE_MODULE_KEY = 'pagewire-page-notice';
/** The ownership property the publisher writes on every page it manages; the page notice shows only where it exists. */
export const PAGE_OWNERSHIP_PROPERTY_KEY = 'pagewire.page';
