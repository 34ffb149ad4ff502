/**
 * Tells whoever cares (the publishing engine: snapshot properties, pages that
 * embed a block) that a block got a new revision. Listeners run after the
 * write is stored; a failing listener is reported and never undoes the write.
 */
export interface BlockChanged {
  installationId: string;
  spaceKey: string;
  key: string;
  revision: number;
  source: string;
  at: Date;
}

export type BlockChangedListener = (event: BlockChanged) => Promise<void> | void;

export interface BlockEvents {
  subscribe(listener: BlockChangedListener): () => void;
  /** Runs every listener; resolves to the errors of those that failed. */
  publish(event: BlockChanged): Promise<unknown[]>;
}

export function createBlockEvents(): BlockEvents {
  const listeners = new Set<BlockChangedListener>();
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
