import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A folder of files for a test, written from a path → content map, removed by `remove()`. */
export interface FixtureTree {
  readonly root: string;
  write(path: string, content: string | Uint8Array): void;
  move(from: string, to: string): void;
  delete(path: string): void;
  remove(): void;
}

export function createFixtureTree(
  files: Record<string, string | Uint8Array>,
  folderName = 'docs',
): FixtureTree {
  const parent = mkdtempSync(join(tmpdir(), 'pagewire-cli-'));
  const root = join(parent, folderName);
  mkdirSync(root);
  const tree: FixtureTree = {
    root,
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    move(from, to) {
      mkdirSync(dirname(join(root, to)), { recursive: true });
      renameSync(join(root, from), join(root, to));
    },
    delete(path) {
      rmSync(join(root, path), { recursive: true, force: true });
    },
    remove() {
      rmSync(parent, { recursive: true, force: true });
    },
  };
  for (const [path, content] of Object.entries(files)) tree.write(path, content);
  return tree;
}

/** The smallest valid PNG (1×1, transparent), and a variant with other bytes. */
export function pngBytes(variant = 0): Uint8Array {
  const base = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  );
  return variant === 0 ? base : Buffer.concat([base, Buffer.from([variant])]);
}
