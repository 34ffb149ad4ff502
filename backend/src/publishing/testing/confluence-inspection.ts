import { basicAuthorization, type DevApiClient, type PageSnapshot, type SeededSite } from '@pagewire/devkit';
import type { AdfDocument } from '@pagewire/shared';
import { expect } from 'vitest';
import { PAGE_OWNERSHIP_PROPERTY_KEY } from '../page-ownership';

/** The text of an ADF body, one line per top-level block: what a reader of the page sees. */
export function visibleText(body: { value: string } | null): string {
  if (body === null) return '';
  const document = JSON.parse(body.value) as AdfDocument;
  const textOf = (node: { text?: string; content?: unknown[] }): string =>
    node.text ?? (node.content ?? []).map((child) => textOf(child as never)).join('');
  return document.content.map((node) => textOf(node)).join('\n');
}

/** The external id a page was published for, from its ownership property; null for pages Pagewire does not own. */
export function externalIdOf(page: PageSnapshot): string | null {
  const property = page.properties.find((candidate) => candidate.key === PAGE_OWNERSHIP_PROPERTY_KEY);
  return (property?.value as { externalId?: string } | undefined)?.externalId ?? null;
}

/** Every version's body of a page, oldest first, read through the gateway as a person with a scoped token would. */
export async function versionTexts(
  dev: DevApiClient,
  site: SeededSite,
  page: PageSnapshot,
): Promise<string[]> {
  const texts: string[] = [];
  for (const version of page.versions) {
    const response = await fetch(
      `${dev.gatewayUrl(site.cloudId)}/wiki/api/v2/pages/${page.id}?version=${version.number}&body-format=atlas_doc_format`,
      { headers: { authorization: basicAuthorization(site.admin.email, site.scopedToken) } },
    );
    if (response.status !== 200)
      throw new Error(`version ${version.number} of page ${page.id}: ${response.status}`);
    const read = (await response.json()) as { body?: { atlas_doc_format?: { value: string } } };
    texts.push(visibleText(read.body?.atlas_doc_format ?? null));
  }
  return texts;
}

/**
 * After a run of accepted updates (some maybe retried across crashes): the
 * site has exactly one page per external id in `externalIds`, each showing the
 * last update sent for it, and every version of it is a different update that
 * was sent, none written twice. `message` labels the failures (a seed).
 */
export async function expectOnePagePerExternalId(
  dev: DevApiClient,
  site: SeededSite,
  expected: {
    externalIds: readonly string[];
    sent: readonly { externalId: string; markdown: string }[];
    lastMarkdown: ReadonlyMap<string, string>;
    message?: string;
  },
): Promise<void> {
  const { message } = expected;
  const pages = (await dev.pages(site.cloudId)).filter((page) => page.id !== site.space.homepageId);
  expect(pages.map((page) => externalIdOf(page)).sort(), message).toEqual(expected.externalIds);
  for (const page of pages) {
    const externalId = externalIdOf(page)!;
    expect(visibleText(page.body), message).toBe(expected.lastMarkdown.get(externalId));
    const texts = await versionTexts(dev, site, page);
    const sent = new Set(
      expected.sent.filter((job) => job.externalId === externalId).map((job) => job.markdown),
    );
    expect(
      texts.every((text) => sent.has(text)),
      message,
    ).toBe(true);
    expect(new Set(texts).size, message).toBe(texts.length);
  }
}
