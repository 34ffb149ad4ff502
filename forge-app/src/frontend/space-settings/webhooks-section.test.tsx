import type { WebhookSubscription } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import {
  act,
  byTestId,
  type ForgeDoc,
  findAll,
  type RenderedApp,
  renderWithStubBridge,
  textOf,
} from '../../../test/support/ui-kit-harness';
import { WebhooksSection } from './webhooks-section';

const NOW = new Date('2026-12-04T10:00:00Z');
const context = {
  moduleKey: 'pagewire-space-settings',
  extension: { type: 'confluence:spaceSettings', space: { id: '98306', key: 'ENG' } },
};
const SECRET = 'whsec_c2VjcmV0LXNob3duLW9uY2UtZm9yLXRoaXMtdGVzdCE=';

const subscription = (overrides: Partial<WebhookSubscription> = {}): WebhookSubscription => ({
  id: 'wh_1',
  url: 'https://hooks.example.com/pagewire',
  events: ['page.updated'],
  state: 'active',
  createdAt: '2026-12-01T08:00:00Z',
  createdBy: '557058:admin',
  deliveries: { delivered: 12, pending: 1, deadLettered: 0 },
  lastSuccessAt: '2026-12-04T09:58:00Z',
  lastError: { at: '2026-12-04T09:00:00Z', detail: 'answered HTTP 503' },
  pausedAt: null,
  managedBy: 'space-admin',
  ...overrides,
});

function button(tree: ForgeDoc, label: string): ForgeDoc | undefined {
  return findAll(
    tree,
    (node) => (node.type === 'Button' || node.type === 'LoadingButton') && textOf(node) === label,
  )[0];
}

function calls(app: RenderedApp, key: string) {
  return app.invocations.filter((call) => call.functionKey === key);
}

function render(answers: Record<string, (payload: unknown) => unknown>, canEdit = true) {
  return renderWithStubBridge(<WebhooksSection canEdit={canEdit} now={NOW} onChanged={() => {}} />, {
    context,
    resolve: (functionKey, payload) => {
      const answer = answers[functionKey];
      if (!answer) throw new Error(`unexpected invoke ${functionKey}`);
      return answer(payload);
    },
  });
}

describe('the Webhooks section', () => {
  it('lists each webhook with its deliveries, last success and last error', async () => {
    const app = render({ 'webhooks.list': () => ({ ok: true, data: { subscriptions: [subscription()] } }) });
    const tree = await app.waitFor(
      (node) => findAll(node, (n) => n.type === 'DynamicTable').length > 0,
      'the table',
    );
    const text = textOf(tree);
    expect(text).toContain('https://hooks.example.com/pagewire');
    expect(text).toContain('12 delivered, 1 waiting, 0 given up');
    expect(text).toContain('answered HTTP 503');
    expect(button(tree, 'Send test')).toBeDefined();
  });

  it('adds a webhook for the chosen events and shows its secret once, to copy', async () => {
    let listed: WebhookSubscription[] = [];
    const app = render({
      'webhooks.list': () => ({ ok: true, data: { subscriptions: listed } }),
      'webhooks.create': () => {
        listed = [subscription()];
        return { ok: true, data: { id: 'wh_1', secret: SECRET } };
      },
    });
    let tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-no-webhooks'), 'the empty list');
    act(
      findAll(tree, (node) => String(node.props.id ?? '').endsWith('pagewire-webhook-url'))[0],
      'onChange',
      {
        target: { value: 'https://hooks.example.com/pagewire' },
      },
    );
    act(findAll(tree, (node) => node.type === 'CheckboxGroup')[0], 'onChange', [
      'page.updated',
      'page.created',
    ]);
    tree = await app.waitFor((node) => button(node, 'Add webhook')?.props.isDisabled === false, 'the form');
    act(button(tree, 'Add webhook'), 'onClick');
    tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-new-webhook'), 'the secret');
    expect(calls(app, 'webhooks.create')[0]?.payload).toEqual({
      url: 'https://hooks.example.com/pagewire',
      events: ['page.updated', 'page.created'],
    });
    expect(byTestId(tree, 'pagewire-new-webhook-secret')?.props).toMatchObject({
      value: SECRET,
      isReadOnly: true,
    });
    act(button(tree, 'I have copied the secret'), 'onClick');
    tree = await app.waitFor((node) => !byTestId(node, 'pagewire-new-webhook'), 'the secret to go');
    expect(textOf(tree)).not.toContain(SECRET);
    await app.waitFor(() => calls(app, 'webhooks.list').length === 2, 'the list to reload');
  });

  it('shows why a URL was refused next to the field', async () => {
    const app = render({
      'webhooks.list': () => ({ ok: true, data: { subscriptions: [] } }),
      'webhooks.create': () => ({
        ok: false,
        error: {
          code: 'webhook_url_refused',
          message: 'Webhooks cannot be delivered to this URL',
          fieldErrors: [{ path: '/url', message: 'Webhooks are delivered over https only.' }],
        },
      }),
    });
    let tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-no-webhooks'), 'the empty list');
    act(
      findAll(tree, (node) => String(node.props.id ?? '').endsWith('pagewire-webhook-url'))[0],
      'onChange',
      {
        target: { value: 'http://hooks.example.com/' },
      },
    );
    tree = await app.waitFor((node) => button(node, 'Add webhook')?.props.isDisabled === false, 'the form');
    act(button(tree, 'Add webhook'), 'onClick');
    tree = await app.waitFor((node) => textOf(node).includes('https only'), 'the refusal');
    expect(byTestId(tree, 'pagewire-new-webhook')).toBeUndefined();
  });

  it('sends a test and deletes a webhook only after the admin confirms', async () => {
    let listed = [subscription()];
    const app = render({
      'webhooks.list': () => ({ ok: true, data: { subscriptions: listed } }),
      'webhooks.test': () => ({ ok: true, data: { deliveryId: 'msg_1' } }),
      'webhooks.delete': () => {
        listed = [];
        return { ok: true, data: { deleted: true } };
      },
    });
    let tree = await app.waitFor((node) => !!button(node, 'Send test'), 'the table');
    act(button(tree, 'Send test'), 'onClick');
    await app.waitFor(() => calls(app, 'webhooks.test').length === 1, 'the test');
    expect(calls(app, 'webhooks.test')[0]?.payload).toEqual({ id: 'wh_1' });
    tree = await app.waitFor(() => calls(app, 'webhooks.list').length === 2, 'the reload');
    act(button(app.tree(), 'Delete'), 'onClick');
    expect(calls(app, 'webhooks.delete')).toHaveLength(0);
    tree = await app.waitFor(
      (node) => !!button(node, 'Delete') && textOf(node).includes('Delete the webhook to hooks.example.com?'),
      'the confirmation',
    );
    const confirm = findAll(tree, (node) => node.type === 'Button' && textOf(node) === 'Delete').at(-1);
    act(confirm, 'onClick');
    await app.waitFor((node) => !!byTestId(node, 'pagewire-no-webhooks'), 'the empty list');
    expect(calls(app, 'webhooks.delete')[0]?.payload).toEqual({ id: 'wh_1' });
  });

  it('offers no add, test or delete to someone who is not a space admin', async () => {
    const app = render(
      { 'webhooks.list': () => ({ ok: true, data: { subscriptions: [subscription()] } }) },
      false,
    );
    const tree = await app.waitFor(
      (node) => findAll(node, (n) => n.type === 'DynamicTable').length > 0,
      'the table',
    );
    expect(byTestId(tree, 'pagewire-add-webhook')).toBeUndefined();
    expect(button(tree, 'Send test')).toBeUndefined();
    expect(button(tree, 'Delete')).toBeUndefined();
  });
});
