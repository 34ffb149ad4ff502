/**
 * `@pagewire/devkit`: the offline twin of Confluence Cloud and Forge.
 * Start it with `startEmulator`, drive it with `createDevApiClient`.
 * The Forge runtime harness is `@pagewire/devkit/forge-runtime`.
 */
export {
  ALL_CONFLUENCE_SCOPES,
  basicAuthorization,
  type ContentEventDelivery,
  type ContentEventSubscriptionInput,
  createDevApiClient,
  type DevApiClient,
  PAGEWIRE_APP_ID,
  PAGEWIRE_APP_SCOPES,
  type SeededAccount,
  type SeededSite,
  type SeedSiteOptions,
} from './client/dev-api-client';
export { DevApiError, isDevApiError } from './client/dev-api-error';
export type { CredentialKind } from './emulator/confluence/credentials';
export type { FaultRule, FaultsInput } from './emulator/confluence/faults';
export { type EmulatedOpenApi, emulatedConfluenceOpenApi } from './emulator/confluence/openapi-paths';
export type { Headroom, RateLimitSettings } from './emulator/confluence/rate-limiter';
export type {
  ApiTokenCreateInput,
  AppTokenMintInput,
  FitMintInput,
  HumanEditInput,
  InstallationCreateInput,
  InstallationView,
  LimitsInput,
  PageSnapshot,
  SiteCreated,
  SiteCreateInput,
  SpaceCreateInput,
  UserCreateInput,
} from './emulator/dev-api/dev-api-schemas';
export { FIT_ISSUER } from './emulator/forge/invocation-tokens';
export type { RequestLogEntry } from './emulator/request-log';
export { type EmulatorOptions, type RunningEmulator, startEmulator } from './emulator/start-emulator';
