import type { ForgeDoc } from '@pagewire/devkit/forge-doc';
import { describe, expect, it } from 'vitest';
import { type ForgeDocRenderContext, renderForgeDoc } from './forge-doc-html';

let keys = 0;
function node(type: string, props: Record<string, unknown> = {}, ...children: ForgeDoc[]): ForgeDoc {
  keys += 1;
  return { type, props, children, key: `k${keys}` };
}
const text = (value: string) => node('String', { text: value });
const handler = (id: string) => Object.assign(() => {}, { __id__: id });

function context(overrides: Partial<ForgeDocRenderContext> = {}): ForgeDocRenderContext {
  return { userName: (id) => (id === 'acc-1' ? 'Alex Admin' : undefined), selected: () => 0, ...overrides };
}

describe('rendering a ForgeDoc tree to HTML', () => {
  it('links site-relative /wiki paths as UI Kit does, and refuses protocol-relative and script links', () => {
    const html = (href: string) => renderForgeDoc(node('Link', { href }, text('page')), context());
    expect(html('/wiki/spaces/ENG/pages/65601')).toContain('href="/wiki/spaces/ENG/pages/65601"');
    expect(html('//evil.example/x')).toContain('pw-link-broken');
    expect(html('javascript:alert(1)')).toContain('pw-link-broken');
  });

  it('escapes what the app shows, in text and in attributes', () => {
    const html = renderForgeDoc(
      node(
        'Root',
        {},
        node('Tooltip', { content: '"><script>x</script>' }, text('<img src=x onerror=alert(1)>')),
      ),
      context(),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });

  it('names each control by its node key and handler prop, so the browser can act on it', () => {
    const button = node('Button', { appearance: 'primary', onClick: handler('fn-1') }, text('Save'));
    const html = renderForgeDoc(button, context());
    expect(html).toContain(`data-pw-node="${button.key}"`);
    expect(html).toContain('data-pw-prop="onClick"');
    expect(html).toContain('pw-button--primary');
  });

  it('draws a LoadingButton that is loading as disabled and busy', () => {
    const html = renderForgeDoc(
      node('LoadingButton', { isLoading: true, onClick: handler('fn') }, text('Save')),
      context(),
    );
    expect(html).toMatch(/<button[^>]* disabled[^>]* aria-busy="true"/);
  });

  it('shows the selected tab’s panel only, and every tab as a control', () => {
    const tabs = node(
      'Tabs',
      { id: 'settings' },
      node('TabList', {}, node('Tab', {}, text('Connection')), node('Tab', {}, text('Activity'))),
      node('TabPanel', {}, text('connection panel')),
      node('TabPanel', {}, text('activity panel')),
    );
    const html = renderForgeDoc(tabs, context({ selected: (key) => (key === 'settings' ? 1 : 0) }));
    expect(html).toContain('activity panel');
    expect(html).not.toContain('connection panel');
    expect(html.match(/role="tab"/g)).toHaveLength(2);
    expect(html).toMatch(/aria-selected="true"[^>]*>Activity/);
  });

  it('pages a DynamicTable whose rows exceed rowsPerPage', () => {
    const rows = Array.from({ length: 5 }, (_, index) =>
      node('Row', { rowKey: `r${index}` }, node('Cell', { cellKey: 'name' }, text(`row ${index}`))),
    );
    const table = node(
      'DynamicTable',
      { caption: 'Blocks', rowsPerPage: 2 },
      node('ContentWrapper', { name: 'head' }, node('Cell', { cellKey: 'name' }, text('Name'))),
      node('ContentWrapper', { name: 'rows' }, ...rows),
    );
    const html = renderForgeDoc(table, context({ selected: () => 1 }));
    expect(html).toContain('row 2');
    expect(html).toContain('row 3');
    expect(html).not.toContain('row 0');
    expect(html).toContain('2 / 3');
  });

  it('fills a macro config field from the saved config, and lets the host save it', () => {
    const select = node('Select', {
      name: 'blockKey',
      options: [
        { label: 'Deploys', value: 'deploys' },
        { label: 'Status', value: 'status' },
      ],
    });
    const html = renderForgeDoc(
      node('MacroConfig', {}, select),
      context({ configValues: { blockKey: 'status' } }),
    );
    expect(html).toContain('data-pw-config="blockKey"');
    expect(html).toMatch(/<option value="1" selected>Status<\/option>/);
  });

  it('draws a Toggle as a switch that is checked, disabled and labelled as the app says', () => {
    const toggle = node('Toggle', {
      id: 'export-on',
      label: 'Export this space',
      isChecked: true,
      isDisabled: true,
      onChange: handler('fn-2'),
    });
    const html = renderForgeDoc(toggle, context());
    expect(html).toMatch(/<input class="pw-toggle" type="checkbox" role="switch"[^>]* checked[^>]* disabled/);
    expect(html).toContain('aria-label="Export this space"');
    expect(html).toContain('data-pw-prop="onChange"');
    expect(renderForgeDoc(node('Toggle', { isChecked: false }), context())).not.toContain(' checked');
  });

  it('shows a User by name and a component it cannot draw as a visible marker', () => {
    const html = renderForgeDoc(
      node('Root', {}, node('User', { accountId: 'acc-1' }), node('BarChart', {})),
      context(),
    );
    expect(html).toContain('Alex Admin');
    expect(html).toContain('pw-unsupported');
    expect(html).toContain('BarChart');
  });

  it('refuses a link to anything but http, https or mailto', () => {
    const html = renderForgeDoc(node('Link', { href: 'javascript:alert(1)' }, text('Details')), context());
    expect(html).not.toContain('href=');
  });
});
