/**
 * Pagewire's Confluence client: one function per call Pagewire makes, the
 * transport with the HTTP policy and pacing, and the error kinds.
 * docs/CONFLUENCE-CLIENT.md explains the whole.
 */
export * from './api/content-properties';
export * from './api/labels';
export * from './api/pages';
export * from './api/spaces';
export * from './api/tenant-info';
export * from './client';
export * from './clock';
export * from './credential';
export * from './endpoint-scopes';
export * from './errors';
export * from './http-policy';
export * from './pacer';
export * from './pacer-store';
export * from './pagination';
export * from './rate-limit-headers';
export * from './schemas';
