import { execFileSync } from 'node:child_process';

/**
 * The text a vanished file had, from Git, for rename detection by
 * similarity: the committed version (`HEAD`, a rename not committed yet),
 * else the one before (`HEAD~1`, the rename is the last commit: CI needs
 * `fetch-depth: 2`). Null outside a Git work tree or when neither has it.
 */
export function createPreviousTextReader(root: string): (path: string) => string | null {
  const cache = new Map<string, string | null>();
  let inGit: boolean | undefined;
  const git = (args: string[]): string | null => {
    try {
      return execFileSync('git', ['-C', root, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 16 << 20,
      });
    } catch {
      return null;
    }
  };
  return (path) => {
    inGit ??= git(['rev-parse', '--is-inside-work-tree'])?.trim() === 'true';
    if (!inGit) return null;
    if (!cache.has(path)) {
      cache.set(path, git(['show', `HEAD:./${path}`]) ?? git(['show', `HEAD~1:./${path}`]));
    }
    return cache.get(path) ?? null;
  };
}
