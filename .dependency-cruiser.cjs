/**
 * The one-way rules of docs/ARCHITECTURE.md ("The layers, and which way each
 * arrow points"), one rule per arrow, checked on every import of every
 * workspace by `npm run check:layers` (part of `npm test`). A rule's name is
 * what a broken import prints, so each name says the rule.
 */

/** Test files and test helpers: they may reach across layers to build a world. */
const tests = '(\\.test\\.tsx?$|/test/|/testing/)';
const backend = '^backend/src/';
/** The feature modules: set up by compose.ts, each mounts its own routes. */
const featureModules = `${backend}(publishing|export|webhooks)/`;
/** What sits at the top of the backend: the composition root and the entry points. */
const backendTop = `${backend}(compose|backend|index|main)\\.ts$`;
/** The core's low layers: pure logic, persistence, clients, configuration. */
const lowLayers = `${backend}(domain|store|adf|config|observability|confluence|auth|credentials)/`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular-imports',
      comment: 'Modules that import each other cannot be understood, tested or moved one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-imports-no-workspace',
      comment: 'shared is the contract every workspace imports; it imports none of them.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(devkit|backend|forge-app|local-stack|cli)/' },
    },
    {
      name: 'devkit-imports-only-shared',
      comment:
        'The devkit (emulator, Forge harness, test helpers) depends on no workspace but shared, tests included.',
      severity: 'error',
      from: { path: '^devkit/' },
      to: { path: '^(backend|forge-app|local-stack|cli)/' },
    },
    {
      name: 'cli-imports-only-shared',
      comment:
        'The pagewire CLI is published on its own and talks to the backend over the ingest API: outside its ' +
        'tests it imports no workspace but shared (its integration tests run the real backend and devkit).',
      severity: 'error',
      from: { path: '^cli/', pathNot: tests },
      to: { path: '^(devkit|backend|forge-app|local-stack)/' },
    },
    {
      name: 'product-code-imports-no-devkit',
      comment:
        'Backend and Forge app code ships; the devkit and the local stack do not. Only tests, test helpers ' +
        'and the Forge app build scripts (forge-app/scripts/) may use the devkit.',
      severity: 'error',
      from: { path: '^(backend|forge-app)/', pathNot: [tests, '^forge-app/scripts/'] },
      to: { path: '^(devkit|local-stack)/' },
    },
    {
      name: 'only-the-local-stack-is-on-top',
      comment: 'local-stack is the top of the house: it may import every workspace, and none imports it.',
      severity: 'error',
      from: { pathNot: '^local-stack/' },
      to: { path: '^local-stack/' },
    },
    {
      name: 'backend-imports-no-forge-app',
      comment: 'The backend and the Forge app meet only through the shared contract.',
      severity: 'error',
      from: { path: '^backend/' },
      to: { path: '^(forge-app|src)/' },
    },
    {
      name: 'forge-app-imports-no-backend',
      comment:
        'The Forge app reaches the backend over invokeRemote, never by import (its tests may run the real ' +
        'backend, or its ADF mapping to prove the three surfaces agree).',
      severity: 'error',
      from: { path: '^(forge-app|src)/', pathNot: tests },
      to: { path: '^backend/' },
    },
    {
      name: 'http-edge-reaches-store-only-through-use-cases',
      comment:
        'Routers and operation handlers translate HTTP to use cases; the decisions and the store are below. ' +
        'Their tests may open a test database (store/testing/), never a table.',
      severity: 'error',
      from: { path: `${backend}http/` },
      to: { path: `${backend}store/`, pathNot: `${backend}store/testing/` },
    },
    {
      name: 'http-edge-imports-no-feature-module',
      comment: 'The core edge knows no feature module; compose.ts mounts their routes beside it.',
      severity: 'error',
      from: { path: `${backend}http/`, pathNot: tests },
      to: { path: featureModules },
    },
    {
      name: 'use-cases-below-edge-and-composition',
      comment:
        'Use cases import no HTTP code, no composition root and no feature module: the publishing engine ' +
        'implements their ports (use-cases/ports.ts) instead.',
      severity: 'error',
      from: { path: `${backend}use-cases/` },
      to: { path: [`${backend}http/`, featureModules, backendTop] },
    },
    {
      name: 'confluence-is-a-leaf',
      comment:
        'The Confluence client imports nothing of the backend but the error kinds: credentials are resolved ' +
        'by its callers, and store/ implements the pacer store interface it declares.',
      severity: 'error',
      from: { path: `${backend}confluence/`, pathNot: tests },
      to: { path: backend, pathNot: [`${backend}confluence/`, `${backend}error-kinds\\.ts$`] },
    },
    {
      name: 'low-layers-stay-low',
      comment:
        'domain, store, adf, config, observability, confluence, auth and credentials import no use case, ' +
        'no HTTP code, no feature module and no composition root.',
      severity: 'error',
      from: { path: lowLayers, pathNot: tests },
      to: { path: [`${backend}(use-cases|http|testing)/`, featureModules, backendTop] },
    },
    {
      name: 'store-below-credentials',
      comment:
        'store/ holds the tables; credentials/ holds the decisions about tokens and uses store/, not the other way.',
      severity: 'error',
      from: { path: `${backend}store/`, pathNot: tests },
      to: { path: `${backend}credentials/` },
    },
    {
      name: 'publishing-below-export-and-webhooks',
      comment:
        'export/ and webhooks/ build on the publishing engine (its gateway and page identities); it knows neither.',
      severity: 'error',
      from: { path: `${backend}publishing/` },
      to: { path: `${backend}(export|webhooks)/` },
    },
    {
      name: 'only-entry-points-compose',
      comment: 'compose.ts is the one wiring place: only main.ts, index.ts and the test backend call it.',
      severity: 'error',
      from: { pathNot: [`${backend}(main|index)\\.ts$`, `${backend}testing/test-backend\\.ts$`] },
      to: { path: `${backend}compose\\.ts$` },
    },
    {
      name: 'no-orphans',
      comment:
        'A module nothing imports is dead code, or an entry point that belongs on the allow-list here.',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: [
          tests,
          '(^|/)(vitest|vite)\\.config\\.ts$',
          '\\.d\\.ts$',
          '(^|/)(index|main)\\.tsx?$',
          '^(bench|tools)/',
          '(^|/)(cli|scripts)/',
          '\\.(json|cjs|mjs|js)$',
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage)/|^bench/results/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};
