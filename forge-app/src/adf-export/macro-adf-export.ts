import type { AdfDocument } from '@pagewire/shared';

// The snapshot-backed export is built in the Forge app issue (#7).
export async function macroAdfExport(): Promise<AdfDocument> {
  return { version: 1, type: 'doc', content: [] };
}
