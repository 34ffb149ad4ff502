import { randomBytes } from 'node:crypto';
import type { OperatorWebhook } from '@pagewire/shared';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VerifiedInvocation } from '../auth/forge-invocation-token';
import { createSecretBox } from '../credentials/secret-box';
import type { EffectiveContext } from '../http/operations/operation-types';
import { ProblemError } from '../http/problem-error';
import { type Database, openDatabase } from '../store/database';
import { migrations } from '../store/migrations';
import { migrateToLatest } from '../store/migrator';
import { createRepositories } from '../store/repositories';
import { operatorSubscriptionId, syncOperatorSubscriptions } from './operator-subscriptions';
import { createDeliveryRepository } from './store/delivery-repository';
import { createSubscriptionRepository, type SubscriptionRepository } from './store/subscription-repository';
import { openSubscriptionSecret } from './subscription-secret';
import { createWebhookOperations } from './webhook-operations';

const INSTALLATION = 'ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OTHER_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/**
 * The operator's subscriptions of `PAGEWIRE_WEBHOOKS`, brought in sync at
 * start against an in-memory database, and what a space admin sees of them.
 */
describe('operator webhook subscriptions from the config', () => {
  let database: Database;
  let subscriptions: SubscriptionRepository;
  const secretBox = createSecretBox({ current: randomBytes(32) });
  const policy = { allowPrivate: false };
  const now = () => new Date('2026-12-06T12:00:00.000Z');

  beforeEach(async () => {
    database = await openDatabase('sqlite::memory:');
    await migrateToLatest(database, migrations);
    subscriptions = createSubscriptionRepository(database.db);
  });
  afterEach(async () => {
    await database.close();
  });

  const sync = (configured: OperatorWebhook[]) =>
    syncOperatorSubscriptions({ configured, subscriptions, secretBox, policy, now });

  function operations() {
    return createWebhookOperations({
      subscriptions,
      deliveries: createDeliveryRepository(database.db),
      activity: createRepositories(database.db).activity,
      secretBox,
      policy,
      now,
      newId: () => `0193a5c2-e0f8-7c3a-a1b2-${randomBytes(6).toString('hex')}`,
      onDeliveryQueued: () => {},
    });
  }

  function call<Input>(spaceKey: string, input: Input) {
    const context: EffectiveContext = {
      origin: 'function',
      cloudId: 'cloud',
      accountId: '557058:admin',
      siteUrl: null,
      spaceKey,
      spaceId: null,
      contentId: null,
      contentType: null,
      localId: null,
      isSpaceAdmin: true,
    };
    return {
      invocation: { installationId: INSTALLATION } as VerifiedInvocation,
      context,
      input,
      event: null,
      log: pino({ level: 'silent' }),
    };
  }

  it('creates each listed subscription once, and a second start with the same config changes nothing', async () => {
    const config: OperatorWebhook[] = [
      { url: 'https://search.example.com/hooks', secret: SECRET },
      { spaceKey: 'ENG', url: 'https://bot.example.com/eng', events: ['page.updated'], secret: OTHER_SECRET },
    ];
    expect(await sync(config)).toEqual({ created: 2, updated: 0, removed: 0, unchanged: 0 });
    expect(await sync(config)).toEqual({ created: 0, updated: 0, removed: 0, unchanged: 2 });
    const stored = await subscriptions.listOperator();
    expect(stored.map((row) => row.url).sort()).toEqual([
      'https://bot.example.com/eng',
      'https://search.example.com/hooks',
    ]);
    const search = stored.find((row) => row.url === 'https://search.example.com/hooks')!;
    expect(search.id).toBe(operatorSubscriptionId('https://search.example.com/hooks'));
    expect(openSubscriptionSecret(secretBox, search)).toBe(SECRET);
  });

  it('updates a changed secret or event list in place, keeping the delivery history, and removes what left the config', async () => {
    await sync([
      { url: 'https://search.example.com/hooks', secret: SECRET },
      { url: 'https://old.example.com/hooks', secret: SECRET },
    ]);
    const id = operatorSubscriptionId('https://search.example.com/hooks');
    await subscriptions.recordSuccess(id, now());

    const report = await sync([
      { url: 'https://search.example.com/hooks', events: ['page.trashed'], secret: OTHER_SECRET },
    ]);
    expect(report).toEqual({ created: 0, updated: 1, removed: 1, unchanged: 0 });
    const [kept, ...rest] = await subscriptions.listOperator();
    expect(rest).toEqual([]);
    expect(kept).toMatchObject({ id, events: ['page.trashed'], lastSuccessAt: now().toISOString() });
    expect(openSubscriptionSecret(secretBox, kept!)).toBe(OTHER_SECRET);
  });

  it('shows a space admin the operator’s subscriptions that cover the space, marked as such and without a secret', async () => {
    await sync([
      { url: 'https://search.example.com/hooks', secret: SECRET },
      { spaceKey: 'OPS', url: 'https://bot.example.com/ops', secret: OTHER_SECRET },
    ]);
    const listed = await operations()['webhooks.list'](call('ENG', {}));
    expect(listed.subscriptions).toHaveLength(1);
    expect(listed.subscriptions[0]).toMatchObject({
      url: 'https://search.example.com/hooks',
      managedBy: 'operator',
      createdBy: 'operator',
      state: 'active',
    });
    expect(JSON.stringify(listed)).not.toContain(SECRET.slice('whsec_'.length));
    const ops = await operations()['webhooks.list'](call('OPS', {}));
    expect(ops.subscriptions.map((subscription) => subscription.url).sort()).toEqual([
      'https://bot.example.com/ops',
      'https://search.example.com/hooks',
    ]);
  });

  it('answers an admin’s delete of an operator subscription with webhook_managed_by_operator and keeps it', async () => {
    await sync([{ url: 'https://search.example.com/hooks', secret: SECRET }]);
    const id = operatorSubscriptionId('https://search.example.com/hooks');
    const refusal = await operations()
      ['webhooks.delete'](call('ENG', { id }))
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ProblemError);
    expect(refusal).toMatchObject({ code: 'webhook_managed_by_operator' });
    expect((refusal as Error).message).toContain('PAGEWIRE_WEBHOOKS');
    expect(await subscriptions.listOperator()).toHaveLength(1);
    // A test delivery still works: the admin may check that the operator's receiver hears this space.
    await expect(operations()['webhooks.test'](call('ENG', { id }))).resolves.toHaveProperty('deliveryId');
  });

  it('does not count the operator’s subscriptions against the space’s ten', async () => {
    await sync([{ url: 'https://search.example.com/hooks', secret: SECRET }]);
    for (let index = 0; index < 10; index += 1) {
      await operations()['webhooks.create'](call('ENG', { url: `https://hooks${index}.example.com/` }));
    }
    const listed = await operations()['webhooks.list'](call('ENG', {}));
    expect(listed.subscriptions).toHaveLength(11);
  });

  it('stops the start on a URL the target rules refuse, naming the entry and never the secret', async () => {
    const refusal = await sync([
      { url: 'https://search.example.com/hooks', secret: SECRET },
      { url: 'http://10.0.0.5/hooks', secret: SECRET },
    ]).catch((error: unknown) => error as Error);
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toMatch(/^invalid configuration: PAGEWIRE_WEBHOOKS\[1\]\.url: /);
    expect((refusal as Error).message).not.toContain(SECRET.slice('whsec_'.length));
  });
});
