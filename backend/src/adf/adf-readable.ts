import type { AdfNode } from '@pagewire/shared';

/**
 * The readable words for ADF nodes that have no Markdown (or plain-text)
 * counterpart. Markdown and plain-text export both use these, so a mention
 * reads `@Ada Lovelace` in either format. Which attributes carry what is in
 * docs/platform-notes.md#adf-nodes-the-export-reads.
 */

function stringAttr(node: AdfNode, name: string): string | undefined {
  const value = node.attrs?.[name];
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** `@Name`: Confluence stores the display name with or without the `@`; the account id when it has none. */
export function mentionText(node: AdfNode): string {
  const name = stringAttr(node, 'text') ?? stringAttr(node, 'id') ?? 'someone';
  return name.startsWith('@') ? name : `@${name}`;
}

/** The emoji itself when the node carries it, else its `:shortName:`. */
export function emojiText(node: AdfNode): string {
  return (
    stringAttr(node, 'text') ?? stringAttr(node, 'shortName') ?? `:${stringAttr(node, 'id') ?? 'emoji'}:`
  );
}

/**
 * A date node holds a UNIX timestamp as a string, read as the UTC calendar day.
 * The editor writes milliseconds, the reference's own example is in seconds
 * (docs/platform-notes.md#adf-nodes-the-export-reads): a value below 10^11
 * (1973 in milliseconds, the year 5138 in seconds) is taken as seconds.
 */
export function dateText(node: AdfNode): string {
  const raw = stringAttr(node, 'timestamp');
  if (raw === undefined) return 'date';
  const value = Number(raw);
  if (!Number.isFinite(value)) return raw;
  const date = new Date(Math.abs(value) < 1e11 ? value * 1000 : value);
  return Number.isNaN(date.getTime()) ? raw : date.toISOString().slice(0, 10);
}

export function statusText(node: AdfNode): string {
  return stringAttr(node, 'text') ?? '';
}

export function statusColor(node: AdfNode): string {
  return stringAttr(node, 'color') ?? 'neutral';
}

/** Smart links (inlineCard, blockCard, embedCard) carry a `url`, or JSON-LD `data` with one. */
export function cardUrl(node: AdfNode): string | undefined {
  const direct = stringAttr(node, 'url');
  if (direct) return direct;
  const data = node.attrs?.data;
  if (typeof data === 'object' && data !== null) {
    const url = (data as Record<string, unknown>).url;
    if (typeof url === 'string' && url.length > 0) return url;
  }
  return undefined;
}

/** What a reader should see for a card without any URL: its JSON-LD name, if it has one. */
export function cardName(node: AdfNode): string {
  const data = node.attrs?.data;
  if (typeof data === 'object' && data !== null) {
    const name = (data as Record<string, unknown>).name;
    if (typeof name === 'string' && name.length > 0) return name;
  }
  return 'link';
}

/** External media have a URL; files in Confluence's media store have only an id (and maybe alt text). */
export function mediaUrl(media: AdfNode): string | undefined {
  return media.attrs?.type === 'external' ? stringAttr(media, 'url') : undefined;
}

export function mediaLabel(media: AdfNode): string {
  const alt = stringAttr(media, 'alt');
  if (alt) return alt;
  const url = stringAttr(media, 'url');
  if (url) return url;
  const id = stringAttr(media, 'id');
  return id ? `attachment ${id}` : 'attachment';
}

/**
 * A Confluence macro: its title when the editor recorded one in
 * `parameters.macroMetadata` (not in the ADF reference, so optional), else its
 * `text`, else its extension key (docs/platform-notes.md#adf-nodes-the-export-reads).
 */
export function extensionName(node: AdfNode): string {
  const parameters = node.attrs?.parameters;
  if (typeof parameters === 'object' && parameters !== null) {
    const metadata = (parameters as Record<string, unknown>).macroMetadata;
    if (typeof metadata === 'object' && metadata !== null) {
      const title = (metadata as Record<string, unknown>).title;
      if (typeof title === 'string' && title.length > 0) return title;
    }
  }
  return stringAttr(node, 'text') ?? stringAttr(node, 'extensionKey') ?? 'macro';
}

/** `Decision:` for a decided item, `Decision (open):` for one still undecided. */
export function decisionPrefix(item: AdfNode): string {
  return item.attrs?.state === 'DECIDED' ? 'Decision:' : 'Decision (open):';
}

export function expandTitle(node: AdfNode): string | undefined {
  return stringAttr(node, 'title');
}
