import { basicAuthorization, type DevApiClient, type PageSnapshot, type SeededSite } from '@pagewire/devkit';
import type { AdfDocument } from '@pagewire/shared';
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
