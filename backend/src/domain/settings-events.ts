import type { SpaceSettings } from '@pagewire/shared';

/**
 * Tells whoever cares that a space's settings changed (the publishing engine
 * snapshots every placed block when a space switches to the `snapshot`
 * policy). Listeners run after the change is stored; a failing listener is
 * reported and never undoes it.
 */
export interface SettingsChanged {
  installationId: string;
  spaceKey: string;
  previous: SpaceSettings;
  current: SpaceSettings;
  accountId: string;
  at: Date;
}

export type SettingsChangedListener = (event: SettingsChanged) => Promise<void> | void;

export interface SettingsEvents {
  subscribe(listener: SettingsChangedListener): () => void;
  publish(event: SettingsChanged): Promise<unknown[]>;
}

export function createSettingsEvents(): SettingsEvents {
  const listeners = new Set<SettingsChangedListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async publish(event) {
      const failures: unknown[] = [];
      for (const listener of listeners) {
        try {
          await listener(event);
        } catch (error) {
          failures.push(error);
        }
      }
      return failures;
    },
  };
}
