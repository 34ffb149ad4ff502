import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a new user does after `npm install && npm start`, in Debian's
 * chromium driven by playwright-core: the stack runs as its own process from
 * the same CLI `npm start` runs, on ports it picks itself (so it never
 * collides with a running `npm start`), with a data directory of its own.
 * Screenshots go to test-artifacts/local-preview/.
 */
const devkitRoot = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = fileURLToPath(new URL('../../../test-artifacts/local-preview/', import.meta.url));
const run = promisify(execFile);

interface StartedStack {
  readonly process: ChildProcess;
  readonly output: () => string;
  readonly previewUrl: string;
  readonly ingestKey: string;
  readonly curl: string;
}

/** Starts the CLI and waits, with a deadline, for the banner that ends "Ctrl-C stops everything." */
async function startStack(dataDir: string): Promise<StartedStack> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/stack/local-stack-cli.ts',
      '--data-dir',
      dataDir,
      '--preview-port',
      '0',
      '--backend-port',
      '0',
      '--emulator-port',
      '0',
    ],
    { cwd: devkitRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, INIT_CWD: devkitRoot } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`npm start did not get ready:\n${stdout}\n${stderr}`)),
      90_000,
    );
    const check = () => {
      if (stdout.includes('Ctrl-C stops everything.')) {
        clearTimeout(deadline);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`npm start exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
  const previewUrl = /Preview\s+(http:\/\/\S+)/.exec(stdout)?.[1];
  const ingestKey = /Ingest key \(source "quickstart"\): (pwk_\S+)/.exec(stdout)?.[1];
  const curl = stdout.split('\n').find((line) => line.trim().startsWith('curl '));
  if (!previewUrl || !ingestKey || !curl)
    throw new Error(`npm start printed an unexpected banner:\n${stdout}`);
  return { process: child, output: () => stdout + stderr, previewUrl, ingestKey, curl: curl.trim() };
}

async function stopStack(stack: StartedStack): Promise<number | null> {
  if (stack.process.exitCode !== null) return stack.process.exitCode;
  const exited = new Promise<number | null>((resolve) => stack.process.once('exit', (code) => resolve(code)));
  stack.process.kill('SIGINT');
  return exited;
}

describe('npm start and the local preview, as a new user sees them', { timeout: 60_000 }, () => {
  let dataDir: string;
  let profileDir: string;
  let stack: StartedStack;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pagewire-stack-'));
    profileDir = mkdtempSync(join(tmpdir(), 'pagewire-chromium-'));
    mkdirSync(artifacts, { recursive: true });
    stack = await startStack(dataDir);
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (stack) await stopStack(stack);
    rmSync(profileDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('opens on the "Service status" page with the status block rendered by the real macro', async () => {
    await page.goto(stack.previewUrl);
    await expect(page.title()).resolves.toContain('Service status');
    const status = page.locator('[data-testid="pagewire-block-status"]');
    await status.waitFor();
    await expect(status.locator('h3').textContent()).resolves.toBe('Checkout service');
    await page.locator('[data-testid="pagewire-block-metrics"]').waitFor();
    await page.screenshot({ path: join(artifacts, '01-service-status.png'), fullPage: true });
  });

  it('shows a status pushed with the printed curl command in the macro', async () => {
    await page.goto(stack.previewUrl);
    const { stdout } = await run('sh', ['-c', stack.curl]);
    expect(JSON.parse(stdout)).toMatchObject({ key: 'service-status', changed: true });
    // The page reloads its macros every few seconds, as a reader pressing reload would.
    const status = page.locator('[data-testid="pagewire-block-status"]');
    await status.getByText('Investigating', { exact: true }).waitFor();
    await expect(status.textContent()).resolves.toContain('looking into failed payments');
    await page.screenshot({ path: join(artifacts, '02-after-curl.png'), fullPage: true });
  });

  it('lets the admin pick another block for a macro in its config panel, saving the page', async () => {
    await page.goto(stack.previewUrl);
    const version = page.locator('[data-testid="pw-page-version"]');
    const before = await version.textContent();
    const metricsMacro = page.locator('.pw-macro').nth(1);
    await metricsMacro.hover();
    await metricsMacro.getByRole('button', { name: 'Edit this Pagewire block' }).click();
    const panel = page.getByRole('complementary', { name: 'Macro settings' });
    const select = panel.locator('select[name="blockKey"]');
    await select.locator('option', { hasText: 'service-status' }).waitFor({ state: 'attached' });
    await select.selectOption({ label: 'Checkout service (status, service-status)' });
    await metricsMacro.locator('[data-testid="pagewire-block-status"]').waitFor();
    // Item 9: a second field in the same edit; both are saved with the page, in one version.
    await panel.getByLabel('Table rows per page').selectOption({ label: '25 rows' });
    await page.screenshot({ path: join(artifacts, '03-macro-config.png'), fullPage: true });
    await panel.getByRole('button', { name: 'Close the macro settings' }).click();
    await panel.waitFor({ state: 'detached' });
    await page.reload();
    const versionNumber = (text: string | null) => Number(/\d+/.exec(text ?? '')?.[0]);
    await expect(version.textContent().then(versionNumber)).resolves.toBe(versionNumber(before) + 1);
    await page.locator('.pw-macro').nth(1).locator('[data-testid="pagewire-block-status"]').waitFor();
  });

  it('lists the space’s blocks; the admin deletes one and the macro showing it says so (item 3)', async () => {
    // A block of its own, shown by the second macro.
    await run('sh', [
      '-c',
      stack.curl.replace('/ingest/v1/blocks/service-status', '/ingest/v1/blocks/scratch-note'),
    ]);
    await page.goto(stack.previewUrl);
    const macro = page.locator('.pw-macro').nth(1);
    await macro.hover();
    await macro.getByRole('button', { name: 'Edit this Pagewire block' }).click();
    const panel = page.getByRole('complementary', { name: 'Macro settings' });
    const select = panel.locator('select[name="blockKey"]');
    await select.locator('option', { hasText: 'scratch-note' }).waitFor({ state: 'attached' });
    await select.selectOption({ label: 'Checkout service (status, scratch-note)' });
    await macro.locator('[data-testid="pagewire-block-status"]').waitFor();
    await panel.getByRole('button', { name: 'Close the macro settings' }).click();
    await panel.waitFor({ state: 'detached' });
    const statusPage = page.url();

    await page.getByRole('link', { name: 'Space settings · Pagewire' }).click();
    await page.getByRole('tab', { name: 'Blocks' }).click();
    const blocks = page.locator('[data-testid="pagewire-blocks"]');
    const row = blocks.getByRole('row').filter({ hasText: 'scratch-note' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('quickstart');
    await row.getByRole('link').first().waitFor();
    await page.screenshot({ path: join(artifacts, '04-blocks-tab.png'), fullPage: true });
    await row.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.locator('[data-testid="pagewire-confirm"]');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.locator('[data-testid="pw-flag"]', { hasText: 'deleted' }).waitFor();
    await blocks.getByRole('row').filter({ hasText: 'scratch-note' }).waitFor({ state: 'detached' });

    await page.goto(statusPage);
    const message = page.locator('.pw-macro').nth(1).locator('[data-testid="pagewire-error"]');
    await message.getByText(/was deleted on .* by a space admin/).waitFor();
    await page.screenshot({ path: join(artifacts, '05-deleted-block-macro.png'), fullPage: true });
    // Gone from the picker too.
    const again = page.locator('.pw-macro').nth(1);
    await again.hover();
    await again.getByRole('button', { name: 'Edit this Pagewire block' }).click();
    const picker = page
      .getByRole('complementary', { name: 'Macro settings' })
      .locator('select[name="blockKey"]');
    await picker.locator('option', { hasText: 'service-status' }).waitFor({ state: 'attached' });
    await expect(picker.locator('option', { hasText: 'scratch-note' }).count()).resolves.toBe(0);
    await picker.selectOption({ label: 'Checkout service (status, service-status)' });
    await again.locator('[data-testid="pagewire-block-status"]').waitFor();
    await page.getByRole('button', { name: 'Close the macro settings' }).click();
  });

  it('keeps a table on the page the reader chose across the 5-second refresh; config labels name their fields (item 9)', async () => {
    const tableBody = (note: string) =>
      JSON.stringify({
        kind: 'table',
        title: 'Deploy log',
        content: {
          columns: [
            { key: 'n', title: 'Deploy', format: 'number' },
            { key: 'note', title: 'Note' },
          ],
          rows: Array.from({ length: 15 }, (_, index) => ({
            n: index + 1,
            note: index === 11 ? `row 12 ${note}` : `row ${index + 1}`,
          })),
        },
      });
    const putTable = (note: string) =>
      run('sh', [
        '-c',
        `${stack.curl.replace('/ingest/v1/blocks/service-status', '/ingest/v1/blocks/deploy-log').replace(/-d '.*'$/, '')} -d '${tableBody(note)}'`,
      ]);
    await putTable('v1');
    await page.goto(stack.previewUrl);
    const macro = page.locator('.pw-macro').nth(1);
    await macro.hover();
    await macro.getByRole('button', { name: 'Edit this Pagewire block' }).click();
    const panel = page.getByRole('complementary', { name: 'Macro settings' });
    // The labels are tied to their fields: the field is found by its label.
    const blockField = panel.getByLabel('Block', { exact: true });
    await blockField.locator('option', { hasText: 'deploy-log' }).waitFor({ state: 'attached' });
    await blockField.selectOption({ label: 'Deploy log (table, deploy-log)' });
    await panel.getByLabel('Table rows per page').selectOption({ label: '10 rows' });
    await macro.locator('[data-testid="pagewire-block-table"]').waitFor();
    // Reading, not editing: the macro refreshes only when its settings are closed.
    await panel.getByRole('button', { name: 'Close the macro settings' }).click();
    await macro.getByRole('button', { name: 'Next ›' }).click();
    await macro.getByText('row 12 v1').waitFor();
    // A change to a row on page 2 shows only if the refresh kept page 2.
    await putTable('v2');
    await macro.getByText('row 12 v2').waitFor();
    await expect(macro.getByText('2 / 2').count()).resolves.toBe(1);
    await page.screenshot({ path: join(artifacts, '06-table-page-after-refresh.png'), fullPage: true });
  });

  it('lets the admin insert a Pagewire macro into a page and pick its block (item 9)', async () => {
    await page.goto(stack.previewUrl);
    const macros = page.locator('.pw-macro');
    const before = await macros.count();
    await page.getByRole('button', { name: /Insert a Pagewire block/ }).click();
    // The new macro's settings open at once; until a block is picked the macro says what to do.
    const panel = page.getByRole('complementary', { name: 'Macro settings' });
    await panel.waitFor();
    await expect(macros.count()).resolves.toBe(before + 1);
    const inserted = macros.nth(before);
    await inserted.locator('[data-testid="pagewire-not-configured"]').waitFor();
    const field = panel.getByLabel('Block', { exact: true });
    await field.locator('option', { hasText: 'service-metrics' }).waitFor({ state: 'attached' });
    await field.selectOption({ label: 'Checkout metrics (metrics, service-metrics)' });
    await inserted.locator('[data-testid="pagewire-block-metrics"]').waitFor();
    await panel.getByRole('button', { name: 'Close the macro settings' }).click();
    await page.reload();
    await macros.nth(before).locator('[data-testid="pagewire-block-metrics"]').waitFor();
    await page.screenshot({ path: join(artifacts, '07-macro-inserted.png'), fullPage: true });
  });

  it('shows the last snapshot, marked, when the backend is down, and the settings page says what to check (item 2)', async () => {
    await page.goto(stack.previewUrl);
    await page.getByRole('link', { name: 'Space settings · Pagewire' }).click();
    await page.getByRole('tab', { name: 'Publishing policy' }).click();
    const policy = page.locator('[data-testid="pagewire-policy"]');
    await policy.getByLabel(/Snapshot: live, plus a copy/).check();
    await policy.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-testid="pw-flag"]').first().waitFor();
    // The switch queues a snapshot of every placed block; wait until the status page holds one.
    await expect
      .poll(
        async () =>
          (await (await fetch(`${stack.previewUrl}/emulator/state`)).text()).includes('pagewire.snapshot.'),
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);

    await page.goto(`${stack.previewUrl}/emulator`);
    const backendSwitch = page.locator('[data-testid="pw-backend-switch"]');
    await backendSwitch.getByRole('button', { name: 'Simulate a backend outage' }).click();
    try {
      await backendSwitch.getByRole('button', { name: 'Bring the backend back' }).waitFor();
      await page.goto(stack.previewUrl);
      // The status macro shows the copy its page holds, marked as such.
      const fallback = page.locator('[data-testid="pagewire-fallback"]').first();
      await fallback.waitFor();
      await expect(fallback.textContent()).resolves.toContain('Live data unavailable since');
      await page.screenshot({ path: join(artifacts, '07e-backend-down-macro.png'), fullPage: true });

      await page.getByRole('link', { name: 'Space settings · Pagewire' }).click();
      await page.getByText('Pagewire’s backend is unreachable').waitFor();
      await page.screenshot({ path: join(artifacts, '07f-backend-down-settings.png'), fullPage: true });

      await page.goto(`${stack.previewUrl}/emulator`);
      await backendSwitch.getByRole('button', { name: 'Bring the backend back' }).click();
      await backendSwitch.getByRole('button', { name: 'Simulate a backend outage' }).waitFor();
    } finally {
      // Whatever failed above, the tests after this one need the backend.
      await fetch(`${stack.previewUrl}/api/backend`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ online: true }),
      });
    }
    await page.goto(stack.previewUrl);
    await page.locator('[data-testid="pagewire-block-status"]').first().waitFor();
    await expect(page.locator('[data-testid="pagewire-fallback"]').count()).resolves.toBe(0);
  });

  it('lets the admin set an API token and create an ingest key, both in the activity log', async () => {
    await page.goto(`${stack.previewUrl}/emulator`);
    await page.getByRole('button', { name: 'Create a scoped API token' }).click();
    const email = await page.locator('[data-testid="pw-token-email"]').textContent();
    const token = await page.locator('[data-testid="pw-token-value"]').textContent();
    const expiry = await page.locator('[data-testid="pw-token-expiry"]').textContent();

    await page.getByRole('link', { name: 'Space settings · Pagewire' }).click();
    const form = page.locator('[data-testid="pagewire-api-token-form"]');
    await form.getByLabel('Service account email').fill(email ?? '');
    await form.getByLabel('API token', { exact: true }).fill(token ?? '');
    await form.getByLabel('Expires on').fill(expiry ?? '');
    await form.getByRole('button', { name: 'Verify and save' }).click();
    await page.locator('[data-testid="pw-flag"]', { hasText: 'API token verified and saved' }).waitFor();
    await page.locator('[data-testid="pagewire-api-token-status"]').getByText('Working').waitFor();
    await page.screenshot({ path: join(artifacts, '06-api-token-saved.png'), fullPage: true });

    await page.getByRole('tab', { name: 'Sources & ingest keys' }).click();
    await page.getByLabel('Source name').fill('ci-pipeline');
    await page.getByRole('button', { name: 'Create ingest key' }).click();
    const created = page.locator('[data-testid="pagewire-new-key"]');
    await created.getByText('Ingest key for “ci-pipeline” created').waitFor();
    await expect(created.getByLabel('Ingest key (select and copy)').inputValue()).resolves.toMatch(
      /^pwk_[A-Za-z0-9_-]{43}$/,
    );
    // Item 8: the URL sources must use, next to the keys, and a curl for the new key.
    await expect(page.getByLabel('Backend URL for sources (select and copy)').inputValue()).resolves.toMatch(
      /^http:\/\/127\.0\.0\.1:\d+$/,
    );
    await expect(created.getByLabel('Try it (select and copy)').inputValue()).resolves.toContain(
      'curl -X PUT',
    );
    await page.screenshot({ path: join(artifacts, '07b-ingest-key-created.png'), fullPage: true });

    await page.getByRole('tab', { name: 'Activity' }).click();
    const activity = page.locator('[data-testid="pagewire-activity"]');
    await activity.getByText('Saved an API token').waitFor();
    await activity.getByText('Created an ingest key').first().waitFor();
    // Item 5: the demo source's writes every 5 s arrive folded, with a count.
    await activity
      .getByText(/Updated a block ×\d+/)
      .first()
      .waitFor();
    await page.screenshot({ path: join(artifacts, '08-activity.png'), fullPage: true });
    await page.getByLabel('Show').selectOption({ label: 'Admin changes' });
    // The log reloads with admin changes only: the source's rows go, the deletion stays.
    await activity
      .getByText(/Updated a block/)
      .first()
      .waitFor({ state: 'detached' });
    await activity.getByText('Deleted a block').waitFor();
    await expect(activity.getByText(/Updated a block/).count()).resolves.toBe(0);
    await page.getByLabel('Show').selectOption({ label: 'Everything' });
    await page.getByLabel('Source').selectOption({ label: 'quickstart' });
    await activity.getByText('Saved an API token').waitFor({ state: 'detached' });
    await activity
      .getByText(/Updated a block/)
      .first()
      .waitFor();
    await expect(activity.getByText('Saved an API token').count()).resolves.toBe(0);
    await page.screenshot({ path: join(artifacts, '09-activity-filtered.png'), fullPage: true });

    // Item 4: the pages the space's sources publish, linked, with their last publish.
    await page.getByRole('tab', { name: 'Pages' }).click();
    const pages = page.locator('[data-testid="pagewire-pages"]');
    const runbook = pages.getByRole('row').filter({ hasText: 'Checkout runbook' });
    await runbook.getByRole('link', { name: 'Checkout runbook' }).waitFor();
    await expect(runbook.textContent()).resolves.toMatch(/Published|Up to date/);
    await page.screenshot({ path: join(artifacts, '09b-pages-tab.png'), fullPage: true });
  });

  it('shows the member the settings read-only, with nothing to change', async () => {
    await page.locator('#pw-persona').selectOption('member');
    await page.locator('[data-testid="pagewire-read-only"]').waitFor();
    await expect(page.locator('#pw-persona').inputValue()).resolves.toBe('member');
    await expect(page.getByRole('button', { name: 'Verify and save' }).count()).resolves.toBe(0);
    await page.getByRole('tab', { name: 'Sources & ingest keys' }).click();
    await page.getByRole('table', { name: 'Ingest keys' }).waitFor();
    await expect(page.getByRole('button', { name: 'Create ingest key' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Revoke' }).count()).resolves.toBe(0);
    await page.getByRole('tab', { name: 'Publishing policy' }).click();
    await expect(page.getByLabel('Mark a block stale after (minutes)').isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: join(artifacts, '10-member-read-only.png'), fullPage: true });
  });

  it('stops on Ctrl-C and, started again, reuses the same demo, keys and pages', async () => {
    const firstPreview = await fetch(stack.previewUrl, { redirect: 'manual' });
    const statusPage = firstPreview.headers.get('location');
    const firstKey = stack.ingestKey;
    expect(await stopStack(stack)).toBe(0);
    expect(stack.output()).toContain('Stopped.');

    stack = await startStack(dataDir);
    expect(stack.output()).toContain('Demo reused from the last run');
    expect(stack.output()).toContain('"Checkout runbook" already up to date from Markdown');
    const again = await fetch(stack.previewUrl, { redirect: 'manual' });
    expect(again.headers.get('location')).toBe(statusPage);
    // The key printed the first time still works: the backend kept its hash, the stack kept the key.
    expect(stack.ingestKey).toBe(firstKey);
    const { stdout } = await run('sh', ['-c', stack.curl]);
    expect(JSON.parse(stdout)).toMatchObject({ key: 'service-status' });

    await page.goto(`${stack.previewUrl}/wiki/spaces/ENG/settings/pagewire`);
    await page.getByRole('tab', { name: 'Sources & ingest keys' }).click();
    await page.getByRole('table', { name: 'Ingest keys' }).getByText('ci-pipeline').waitFor();
    await page.screenshot({ path: join(artifacts, '11-after-restart.png'), fullPage: true });
  });

  it('tells an editor a published page is managed; the admin stops managing it and the notice goes (item 4)', async () => {
    // The member test switched the persona; stopping to manage a page is an admin's action.
    await browser.request.post(`${stack.previewUrl}/api/persona`, { data: { persona: 'admin' } });
    await page.goto(stack.previewUrl);
    await page.getByRole('link', { name: 'Checkout runbook' }).first().click();
    await expect.poll(() => page.title(), { timeout: 20_000 }).toContain('Checkout runbook');
    const notice = page.locator('[data-testid="pw-page-notice"]');
    await notice.getByText('Published from a source').click();
    const text = notice.locator('[data-testid="pagewire-notice"]');
    await text.getByText(/Pagewire writes this page from “demo-source”/).waitFor();
    await expect(text.textContent()).resolves.toContain('your edit is kept');
    await page.screenshot({ path: join(artifacts, '07c-page-notice.png'), fullPage: true });
    const runbookUrl = page.url();

    await page.getByRole('link', { name: 'Space settings · Pagewire' }).click();
    await page.getByRole('tab', { name: 'Pages' }).click();
    const pages = page.locator('[data-testid="pagewire-pages"]');
    const row = pages.getByRole('row').filter({ hasText: 'Checkout runbook' });
    await row.getByRole('button', { name: 'Stop managing' }).click();
    const confirm = page.locator('[data-testid="pagewire-confirm"]');
    await confirm.getByText('stays in Confluence exactly as it is').waitFor();
    await confirm.getByRole('button', { name: 'Stop managing' }).click();
    await page.locator('[data-testid="pw-flag"]', { hasText: 'no longer manages' }).waitFor();
    await row.getByText('No longer managed').waitFor();
    await page.screenshot({ path: join(artifacts, '07d-stopped-managing.png'), fullPage: true });

    // The page stays as it was, without the notice: its display condition (the ownership property) is gone.
    await page.goto(runbookUrl);
    await expect(page.title()).resolves.toContain('Checkout runbook');
    await expect(page.locator('[data-testid="pw-page-notice"]').count()).resolves.toBe(0);
  });
});
