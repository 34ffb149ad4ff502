import { defaultSpaceSettings, type SpaceSettings } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { createSettingsEvents } from '../domain/settings-events';
import { createSettingsUseCases } from './settings';
import { createFakePorts } from './testing/fake-ports';

function setUp() {
  const ports = createFakePorts();
  let stored: SpaceSettings = { ...defaultSpaceSettings };
  const settingsEvents = createSettingsEvents();
  const settings = createSettingsUseCases({
    spaceSettings: {
      async get() {
        return { settings: stored, spaceId: null } as never;
      },
      async update(_installationId, _spaceKey, change) {
        stored = { ...stored, ...change };
        return stored;
      },
      async copyAll() {
        return 0;
      },
    },
    ingestKeys: { list: async () => [] },
    activity: ports.activityLog,
    appTokens: { status: async () => ({ state: 'missing', expiresAt: null }) as never },
    apiTokens: { status: async () => null },
    snapshots: ports.scheduler,
    settingsEvents,
    mode: 'in-house',
    requiredApiTokenScopes: [],
    publicUrl: null,
    now: () => new Date('2026-11-28T10:00:00.000Z'),
  });
  return { ports, settings, settingsEvents };
}

const editor = { installationId: 'inst-1', spaceKey: 'ENG', accountId: 'admin-1', spaceId: null };

describe('the settings use case', () => {
  it('queues every placed block’s snapshot when a space switches to the snapshot policy, as the system', async () => {
    const { ports, settings } = setUp();
    await settings.update(editor, { publishingPolicy: 'snapshot' }, ports.log);
    expect(ports.scheduled).toEqual(['space ENG by pagewire']);
    expect(ports.activity[0]?.detail).toBe('Settings changed: publishing policy is now snapshot.');
  });

  it('queues nothing when the policy was already snapshot, or for another change', async () => {
    const { ports, settings } = setUp();
    await settings.update(editor, { publishingPolicy: 'snapshot' }, ports.log);
    await settings.update(editor, { publishingPolicy: 'snapshot' }, ports.log);
    await settings.update(editor, { staleAfterMinutes: 5 }, ports.log);
    expect(ports.scheduled).toEqual(['space ENG by pagewire']);
  });

  it('keeps the change and still tells listeners when the snapshots cannot be queued', async () => {
    const { ports, settings, settingsEvents } = setUp();
    const told: string[] = [];
    settingsEvents.subscribe((event) => {
      told.push(event.current.publishingPolicy);
    });
    ports.scheduler.failWith = new Error('queue down');
    expect(await settings.update(editor, { publishingPolicy: 'snapshot' }, ports.log)).toMatchObject({
      publishingPolicy: 'snapshot',
    });
    expect(told).toEqual(['snapshot']);
  });
});
