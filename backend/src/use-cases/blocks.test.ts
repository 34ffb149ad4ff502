import { describe, expect, it } from 'vitest';
import { createBlockEvents } from '../domain/block-events';
import { createBlockUseCases } from './blocks';
import { createDeferredWork } from './deferred-work';
import { createPlacementUseCases } from './placements';
import { createFakePorts } from './testing/fake-ports';

const now = () => new Date('2026-11-28T10:00:00.000Z');
const scope = { installationId: 'inst-1', spaceKey: 'ENG', source: 'ci' };
const note = (content: string) => ({ kind: 'markdown' as const, title: 'Notes', content });

function setUp() {
  const ports = createFakePorts();
  const deferred = createDeferredWork({ logger: ports.log });
  const blockEvents = createBlockEvents();
  const blocks = createBlockUseCases({
    blocks: ports.blockStore,
    placements: ports.placementStore,
    activity: ports.activityLog,
    placementUseCases: createPlacementUseCases({
      placements: ports.placementStore,
      snapshots: ports.scheduler,
      deferred,
      now,
    }),
    snapshots: ports.scheduler,
    blockEvents,
    renderedMarkdown: null,
    now,
  });
  return { ports, deferred, blockEvents, blocks };
}

describe('the blocks use case', () => {
  it('logs a changed block, queues its snapshots under the source’s name, then tells listeners', async () => {
    const { ports, blocks, blockEvents } = setUp();
    const told: number[] = [];
    blockEvents.subscribe((event) => {
      // By the time listeners hear of it, the snapshots are queued.
      expect(ports.scheduled).toHaveLength(told.length + 1);
      told.push(event.revision);
    });
    expect(await blocks.write(scope, 'notes', note('one'), ports.log)).toEqual({
      created: true,
      changed: true,
      revision: 1,
    });
    expect(ports.activity.map((entry) => entry.action)).toEqual(['block.updated']);
    expect(ports.scheduled).toEqual(['block notes by ci']);
    expect(told).toEqual([1]);
  });

  it('queues nothing and logs nothing for a write that changes nothing', async () => {
    const { ports, blocks } = setUp();
    await blocks.write(scope, 'notes', note('one'), ports.log);
    expect(await blocks.write(scope, 'notes', note('one'), ports.log)).toMatchObject({ changed: false });
    expect(ports.scheduled).toEqual(['block notes by ci']);
    expect(ports.activity).toHaveLength(1);
  });

  it('keeps the block when its snapshots cannot be queued', async () => {
    const { ports, blocks } = setUp();
    ports.scheduler.failWith = new Error('queue down');
    expect(await blocks.write(scope, 'notes', note('one'), ports.log)).toMatchObject({ revision: 1 });
    expect(await blocks.read(scope, 'notes')).toMatchObject({ key: 'notes', revision: 1 });
  });

  it('records a macro’s placement and queues its snapshot once, beside the answer', async () => {
    const { ports, blocks, deferred } = setUp();
    await blocks.write(scope, 'notes', note('one'), ports.log);
    const macro = { contentId: '42', contentType: null, localId: 'm-1' };
    const answer = await blocks.readForMacro(scope, 'notes', macro);
    expect(answer).toMatchObject({ block: { key: 'notes' }, stale: false, staleAfterMinutes: 60 });
    await blocks.readForMacro(scope, 'notes', macro);
    await deferred.settled();
    expect(ports.scheduled).toEqual(['block notes by ci', 'placement notes@42/m-1']);
  });

  it('records no placement for a read that names no macro', async () => {
    const { ports, blocks, deferred } = setUp();
    await blocks.write(scope, 'notes', note('one'), ports.log);
    await blocks.readForMacro(scope, 'notes', { contentId: null, contentType: null, localId: null });
    await deferred.settled();
    expect(ports.scheduled).toEqual(['block notes by ci']);
  });

  it('refuses a block that does not exist with block_not_found', async () => {
    const { blocks } = setUp();
    await expect(blocks.read(scope, 'missing')).rejects.toMatchObject({ code: 'block_not_found' });
  });
});
