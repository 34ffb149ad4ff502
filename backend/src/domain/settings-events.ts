import type { SpaceSettings } from '@pagewire/shared';
import { createEventChannel, type EventChannel, type EventListener } from './event-channel';

/**
 * Tells whoever cares that a space's settings changed (after the settings use
 * case queued the space's snapshots on a switch to the `snapshot` policy).
 */
export interface SettingsChanged {
  installationId: string;
  spaceKey: string;
  previous: SpaceSettings;
  current: SpaceSettings;
  accountId: string;
  at: Date;
}

export type SettingsChangedListener = EventListener<SettingsChanged>;
export type SettingsEvents = EventChannel<SettingsChanged>;

export function createSettingsEvents(): SettingsEvents {
  return createEventChannel<SettingsChanged>();
}
