import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The one-way rules of docs/ARCHITECTURE.md live in the repository's
 * .dependency-cruiser.cjs, which `npm run check:layers` (part of `npm test`)
 * holds the whole tree to. These tests prove each rule bites: a small tree in
 * a temporary folder, laid out like the repository, with one import that
 * breaks the rule, is cruised with the real rule set.
 */
const src = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = resolve(src, '../..');
const ruleSet = createRequire(import.meta.url)(join(repositoryRoot, '.dependency-cruiser.cjs')) as {
  forbidden: IForbiddenRuleType[];
  options: { enhancedResolveOptions: { extensions: string[] } };
};

const trees: string[] = [];
afterAll(() => {
  for (const tree of trees) rmSync(tree, { recursive: true, force: true });
});

/** Cruises a tree of `{path: source}` and answers each violation as `rule: from → to`. */
async function violationsOf(files: Record<string, string>): Promise<string[]> {
  const tree = mkdtempSync(join(tmpdir(), 'pagewire-layers-'));
  trees.push(tree);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
  const folders = [...new Set(Object.keys(files).map((path) => path.split('/')[0]!))];
  const { output } = await cruise(
    folders,
    { baseDir: tree, validate: true, ruleSet: { forbidden: ruleSet.forbidden }, outputType: 'json' },
    { extensions: ruleSet.options.enhancedResolveOptions.extensions },
  );
  const result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
  return result.summary.violations.map(
    (violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`,
  );
}

const leaf = 'export const value = 1;\n';
const importing = (specifier: string) =>
  `import { value } from '${specifier}';\nexport const used = value;\n`;

describe('the layer rules', () => {
  it('let a tree that keeps every arrow pointing down pass', async () => {
    expect(
      await violationsOf({
        'backend/src/main.ts': importing('./compose'),
        'backend/src/compose.ts': importing('./http/router'),
        'backend/src/http/router.ts': importing('../use-cases/blocks'),
        'backend/src/use-cases/blocks.ts': importing('../store/block-repository'),
        'backend/src/store/block-repository.ts': importing('../domain/block'),
        'backend/src/domain/block.ts': importing('@pagewire/shared'),
      }),
    ).toEqual([]);
  });

  it('refuse an HTTP router that imports the store, naming the rule', async () => {
    expect(
      await violationsOf({
        'backend/src/http/router.ts': importing('../store/block-repository'),
        'backend/src/store/block-repository.ts': leaf,
      }),
    ).toContain(
      'http-edge-reaches-store-only-through-use-cases: backend/src/http/router.ts → backend/src/store/block-repository.ts',
    );
  });

  it('refuse a use case that imports the publishing engine or the HTTP edge', async () => {
    const violations = await violationsOf({
      'backend/src/use-cases/blocks.ts':
        "import { value } from '../publishing/publisher';\nimport { value as other } from '../http/problems';\nexport const used = [value, other];\n",
      'backend/src/publishing/publisher.ts': leaf,
      'backend/src/http/problems.ts': leaf,
    });
    expect(violations).toContain(
      'use-cases-below-edge-and-composition: backend/src/use-cases/blocks.ts → backend/src/publishing/publisher.ts',
    );
    expect(violations).toContain(
      'use-cases-below-edge-and-composition: backend/src/use-cases/blocks.ts → backend/src/http/problems.ts',
    );
  });

  it('keep confluence/ a leaf: the client may not import credentials', async () => {
    expect(
      await violationsOf({
        'backend/src/confluence/client.ts': importing('../credentials/token-health'),
        'backend/src/credentials/token-health.ts': leaf,
      }),
    ).toContain(
      'confluence-is-a-leaf: backend/src/confluence/client.ts → backend/src/credentials/token-health.ts',
    );
  });

  it('keep the store below credentials and the low layers below the edge', async () => {
    const violations = await violationsOf({
      'backend/src/store/installation-purge.ts': importing('../credentials/recheck-job'),
      'backend/src/credentials/recheck-job.ts': leaf,
      'backend/src/auth/rate-limit.ts': importing('../http/problem-error'),
      'backend/src/http/problem-error.ts': leaf,
    });
    expect(violations).toContain(
      'store-below-credentials: backend/src/store/installation-purge.ts → backend/src/credentials/recheck-job.ts',
    );
    expect(violations).toContain(
      'low-layers-stay-low: backend/src/auth/rate-limit.ts → backend/src/http/problem-error.ts',
    );
  });

  it('leave compose.ts to the entry points: a router may not wire the backend', async () => {
    expect(
      await violationsOf({
        'backend/src/http/router.ts': importing('../compose'),
        'backend/src/compose.ts': leaf,
      }),
    ).toContain('only-entry-points-compose: backend/src/http/router.ts → backend/src/compose.ts');
  });

  it('keep the publishing engine below the export and the webhooks', async () => {
    expect(
      await violationsOf({
        'backend/src/publishing/worker.ts': importing('../export/mirror'),
        'backend/src/export/mirror.ts': leaf,
      }),
    ).toContain(
      'publishing-below-export-and-webhooks: backend/src/publishing/worker.ts → backend/src/export/mirror.ts',
    );
  });

  it('refuse modules that import each other', async () => {
    expect(
      await violationsOf({
        'backend/src/publishing/queue.ts': importing('./worker'),
        'backend/src/publishing/worker.ts': importing('./queue'),
      }),
    ).toContain('no-circular-imports: backend/src/publishing/queue.ts → backend/src/publishing/worker.ts');
  });

  it('keep the devkit off the backend, and backend code off the devkit outside its tests', async () => {
    const violations = await violationsOf({
      'devkit/src/emulator.ts': importing('../../backend/src/store/rows'),
      'backend/src/store/rows.ts': importing('../../../devkit/src/emulator'),
      'backend/src/store/rows.int.test.ts': importing('../../../devkit/src/emulator'),
    });
    expect(violations).toContain(
      'devkit-imports-only-shared: devkit/src/emulator.ts → backend/src/store/rows.ts',
    );
    expect(violations).toContain(
      'product-code-imports-no-devkit: backend/src/store/rows.ts → devkit/src/emulator.ts',
    );
    expect(violations.filter((line) => line.includes('rows.int.test.ts'))).toEqual([]);
  });

  it('let shared import no workspace, and nothing but the local stack sit on top', async () => {
    const violations = await violationsOf({
      'shared/src/index.ts': importing('../../backend/src/index'),
      'backend/src/index.ts': importing('../../local-stack/src/stack'),
      'local-stack/src/stack.ts': leaf,
    });
    expect(violations).toContain('shared-imports-no-workspace: shared/src/index.ts → backend/src/index.ts');
    expect(violations).toContain(
      'only-the-local-stack-is-on-top: backend/src/index.ts → local-stack/src/stack.ts',
    );
  });

  it('keep the backend and the Forge app apart outside the Forge app tests', async () => {
    const violations = await violationsOf({
      'forge-app/src/resolvers/macro-resolver.ts': importing('../../../backend/src/adf/block-to-adf'),
      'backend/src/adf/block-to-adf.ts': importing('../../../forge-app/src/macro-config'),
      'forge-app/src/macro-config.ts': leaf,
      'forge-app/test/block-surfaces.test.ts': importing('../../backend/src/adf/block-to-adf'),
    });
    expect(violations).toContain(
      'forge-app-imports-no-backend: forge-app/src/resolvers/macro-resolver.ts → backend/src/adf/block-to-adf.ts',
    );
    expect(violations).toContain(
      'backend-imports-no-forge-app: backend/src/adf/block-to-adf.ts → forge-app/src/macro-config.ts',
    );
    expect(violations.filter((line) => line.includes('block-surfaces.test.ts'))).toEqual([]);
  });

  it('flag a module that nothing imports', async () => {
    expect(await violationsOf({ 'backend/src/domain/forgotten.ts': leaf })).toContain(
      'no-orphans: backend/src/domain/forgotten.ts → backend/src/domain/forgotten.ts',
    );
  });
});

function filesUnder(folder: string): string[] {
  return readdirSync(join(src, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the composition root', () => {
  // Not an import rule: a router could import the repositories' factory through a use case's module.
  it('leaves wiring to compose.ts: only it (and the test helpers) build repositories', () => {
    const builders = ['http', 'use-cases', 'publishing/http'].flatMap((folder) =>
      filesUnder(folder)
        .filter((file) => /\bcreateRepositories\(/.test(readFileSync(file, 'utf8')))
        .map((file) => relative(src, file)),
    );
    expect(builders).toEqual([]);
  });
});
