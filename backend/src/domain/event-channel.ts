/**
 * In-process notifications from one part of the backend to another (the core
 * tells feature modules about block and settings changes; what the core itself
 * decides on a change, such as queueing snapshots, is a use case's call, not a listener).
 * Listeners run after the change is stored, one after another; a failing
 * listener is reported to the publisher and never undoes the change.
 */
export type EventListener<Event> = (event: Event) => Promise<void> | void;

export interface EventChannel<Event> {
  subscribe(listener: EventListener<Event>): () => void;
  /** Runs every listener; resolves to the errors of those that failed. */
  publish(event: Event): Promise<unknown[]>;
}

export function createEventChannel<Event>(): EventChannel<Event> {
  const listeners = new Set<EventListener<Event>>();
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
