import type { AdfMark, AdfNode } from '@pagewire/shared';
import { attributes, escapeHtml, safeHref } from './html';

/**
 * Atlassian Document Format to HTML, for the nodes Confluence pages and
 * Pagewire's Markdown mapping use (https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/).
 * A node it does not know is shown as a visible placeholder, never dropped,
 * so a gap in the preview is obvious rather than silent.
 */
export interface AdfRenderOptions {
  /** Renders an `extension` node (a macro); without it, macros show as placeholders. */
  readonly extension?: (node: AdfNode) => string | null;
}

function renderMarks(text: string, marks: AdfMark[] | undefined): string {
  let html = escapeHtml(text);
  for (const mark of marks ?? []) {
    switch (mark.type) {
      case 'strong':
        html = `<strong>${html}</strong>`;
        break;
      case 'em':
        html = `<em>${html}</em>`;
        break;
      case 'code':
        html = `<code class="pw-code">${html}</code>`;
        break;
      case 'strike':
        html = `<s>${html}</s>`;
        break;
      case 'underline':
        html = `<u>${html}</u>`;
        break;
      case 'subsup':
        html = mark.attrs?.type === 'sup' ? `<sup>${html}</sup>` : `<sub>${html}</sub>`;
        break;
      case 'link': {
        const href = safeHref(mark.attrs?.href);
        html = href
          ? `<a${attributes({ href, target: '_blank', rel: 'noopener noreferrer' })}>${html}</a>`
          : html;
        break;
      }
      default:
        break;
    }
  }
  return html;
}

const panelTypes = new Set(['info', 'note', 'warning', 'success', 'error', 'tip']);
const statusColours = new Set(['neutral', 'purple', 'blue', 'red', 'yellow', 'green']);

export function renderAdfNodes(nodes: AdfNode[] | undefined, options: AdfRenderOptions = {}): string {
  return (nodes ?? []).map((node) => renderAdfNode(node, options)).join('');
}

export function renderAdfNode(node: AdfNode, options: AdfRenderOptions = {}): string {
  const inner = () => renderAdfNodes(node.content, options);
  const attrs = node.attrs ?? {};
  switch (node.type) {
    case 'doc':
      return inner();
    case 'paragraph':
      return `<p>${inner()}</p>`;
    case 'text':
      return renderMarks(node.text ?? '', node.marks);
    case 'hardBreak':
      return '<br>';
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(attrs.level) || 1));
      return `<h${level}>${inner()}</h${level}>`;
    }
    case 'bulletList':
      return `<ul>${inner()}</ul>`;
    case 'orderedList':
      return `<ol${attributes({ start: typeof attrs.order === 'number' && attrs.order !== 1 ? attrs.order : undefined })}>${inner()}</ol>`;
    case 'listItem':
      return `<li>${inner()}</li>`;
    case 'taskList':
      return `<ul class="pw-task-list">${inner()}</ul>`;
    case 'taskItem':
      return `<li><input type="checkbox" disabled${attrs.state === 'DONE' ? ' checked' : ''}> ${inner()}</li>`;
    case 'blockquote':
      return `<blockquote>${inner()}</blockquote>`;
    case 'rule':
      return '<hr>';
    case 'codeBlock': {
      const text = (node.content ?? []).map((child) => child.text ?? '').join('');
      return `<pre class="pw-code-block"${attributes({ 'data-language': typeof attrs.language === 'string' ? attrs.language : undefined })}><code>${escapeHtml(text)}</code></pre>`;
    }
    case 'panel': {
      const type =
        typeof attrs.panelType === 'string' && panelTypes.has(attrs.panelType) ? attrs.panelType : 'info';
      return `<div class="pw-panel pw-panel--${type}">${inner()}</div>`;
    }
    case 'expand':
    case 'nestedExpand':
      return `<details class="pw-expand" open><summary>${escapeHtml(attrs.title ?? '')}</summary>${inner()}</details>`;
    case 'table':
      return `<table class="pw-table pw-table--page"><tbody>${inner()}</tbody></table>`;
    case 'tableRow':
      return `<tr>${inner()}</tr>`;
    case 'tableHeader':
      return `<th>${inner()}</th>`;
    case 'tableCell':
      return `<td>${inner()}</td>`;
    case 'status': {
      const colour =
        typeof attrs.color === 'string' && statusColours.has(attrs.color) ? attrs.color : 'neutral';
      return `<span class="pw-status pw-status--${colour}">${escapeHtml(attrs.text ?? '')}</span>`;
    }
    case 'emoji':
      return escapeHtml(attrs.text ?? attrs.shortName ?? '');
    case 'mention':
      return `<span class="pw-mention">@${escapeHtml(String(attrs.text ?? attrs.id ?? '').replace(/^@/, ''))}</span>`;
    case 'date': {
      const time = Number(attrs.timestamp);
      return `<time>${Number.isFinite(time) ? escapeHtml(new Date(time).toISOString().slice(0, 10)) : ''}</time>`;
    }
    case 'inlineCard':
    case 'blockCard': {
      const href = safeHref(attrs.url);
      return href
        ? `<a class="pw-card" href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(href)}</a>`
        : '';
    }
    case 'mediaSingle':
    case 'mediaGroup':
      return `<div class="pw-unsupported">${inner() || 'Media'}</div>`;
    case 'media': {
      const href = safeHref(attrs.url);
      return href
        ? `Image: <a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(attrs.alt ?? href)}</a>`
        : 'Media';
    }
    case 'extension':
    case 'bodiedExtension':
    case 'inlineExtension': {
      const rendered = options.extension?.(node);
      if (rendered !== null && rendered !== undefined) return rendered;
      return `<div class="pw-unsupported">Macro ${escapeHtml(attrs.extensionKey ?? '')}</div>`;
    }
    default:
      return `<div class="pw-unsupported">Not shown in the preview: ${escapeHtml(node.type)}</div>`;
  }
}

const storageTags = new Set([
  'p',
  'br',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'code',
  'pre',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'li',
  'blockquote',
  'hr',
  'table',
  'tbody',
  'thead',
  'tr',
  'th',
  'td',
  'sub',
  'sup',
]);

/**
 * Storage format (XHTML) shown safely: the plain formatting tags are kept
 * without any attribute; every other tag (macros, links, scripts, images)
 * is shown as text, so nothing a page holds can run in the preview.
 */
export function renderStorage(storage: string): string {
  let html = '';
  let last = 0;
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)\b[^<>]*?(\/?)>/g;
  for (let match = tag.exec(storage); match !== null; match = tag.exec(storage)) {
    html += escapeText(storage.slice(last, match.index));
    const name = match[2]!.toLowerCase();
    html += storageTags.has(name)
      ? `<${match[1]}${name}${match[3] && name !== 'br' && name !== 'hr' ? `></${name}` : ''}>`
      : escapeHtml(match[0]);
    last = match.index + match[0].length;
  }
  return html + escapeText(storage.slice(last));
}

/** Storage text is already XML-escaped; keep its entities, escape any stray markup character. */
function escapeText(text: string): string {
  return text
    .replace(/[<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
    .replace(/&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/g, '&amp;');
}
