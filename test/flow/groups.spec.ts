import { Injectable } from '@nestjs/common';
import { InvalidOptionsError, Task, TaskHandle } from '../../lib';
import { dataKeysOf, rawRedis } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';
import { FlowFixture } from '../support/flow-worker';
import { mostAtOnce, mostStartsWithin, runSpans } from '../support/run-spans';

// Each test starts worker processes: slow on a loaded machine.
jest.setTimeout(120_000);

describe('groups: served in turn, with limits for each group key, across worker processes', () => {
  const flow = new FlowFixture();

  async function startWorkers(queueSettings = {}, labels = ['w0', 'w1']): Promise<void> {
    for (const label of labels) {
      await flow.start({ label, queueSettings });
    }
  }

  function enqueue(group: string, count: number, ms = 0, priority = 0): Promise<TaskHandle[]> {
    return Promise.all(
      Array.from({ length: count }, () =>
        flow.producer.queue.enqueue('flow.grouped', [ms], { queue: 'grouped', group, priority }),
      ),
    );
  }

  it("starts a small group's tasks before a big group's 20th, whatever came first", async () => {
    const big = await enqueue('big', 40);
    const small = await enqueue('small', 5);
    await startWorkers();
    await Promise.all([...big, ...small].map((handle) => handle.result()));
    const bigStarts = (await runSpans(big)).map((span) => span.start);
    const smallStarts = (await runSpans(small)).map((span) => span.start);
    expect(Math.max(...smallStarts)).toBeLessThanOrEqual(bigStarts[19]);
  });

  it('never runs more than groups.concurrency tasks of a group at once', async () => {
    const tenants = ['a', 'b', 'c'];
    const handles = await Promise.all(
      tenants.flatMap((tenant) =>
        Array.from({ length: 6 }, () =>
          flow.producer.queue.enqueue('flow.grouped', [20], { queue: 'grouped', group: tenant }),
        ),
      ),
    );
    await startWorkers({ grouped: { groups: { concurrency: 2 } } });
    await Promise.all(handles.map((handle) => handle.result()));
    for (let i = 0; i < tenants.length; i++) {
      const spans = await runSpans(handles.slice(i * 6, i * 6 + 6));
      expect(mostAtOnce(spans)).toBeLessThanOrEqual(2);
    }
    // Several groups ran at once: the limit is per group, not for the queue.
    expect(mostAtOnce(await runSpans(handles))).toBeGreaterThan(2);
  });

  it('starts no more than groups.rateLimit.max tasks of a group in any interval of perMs', async () => {
    const a = await enqueue('a', 6);
    const b = await enqueue('b', 6);
    await startWorkers({ grouped: { groups: { rateLimit: { max: 2, perMs: 300 } } } });
    await Promise.all([...a, ...b].map((handle) => handle.result()));
    for (const handles of [a, b]) {
      const starts = (await runSpans(handles)).map((span) => span.start);
      expect(mostStartsWithin(starts, 300)).toBe(2);
    }
  });

  it('takes a group in priority order, then FIFO', async () => {
    const late = await enqueue('one', 3, 0, 5);
    const early = await enqueue('one', 3, 0, 1);
    // One run at a time: the start order is the claim order.
    await flow.start({ label: 'w0', concurrency: 1 });
    await Promise.all([...late, ...early].map((handle) => handle.result()));
    const order = (await runSpans([...late, ...early])).map((span) => span.id);
    expect(order).toEqual([...early, ...late].map((handle) => handle.id));
  });

  it("gives a SIGKILLed worker's group places and rate starts back once its leases expire", async () => {
    const settings = { grouped: { groups: { concurrency: 1, rateLimit: { max: 1, perMs: 200 } } } };
    // A short lease: the killed worker's run comes back soon.
    const first = await flow.start({
      label: 'killed',
      leaseMs: 1000,
      queueSettings: settings,
    });
    const hung = await enqueue('g', 1, -1);
    await first.next('started');
    const after = await enqueue('g', 3);
    await first.kill();
    await startWorkers(settings, ['w0']);
    const handles = [...hung, ...after];
    await Promise.all(handles.map((handle) => handle.result()));
    const spans = await runSpans(handles);
    expect(spans).toHaveLength(5);
    expect(mostAtOnce(spans.filter((span) => span.end !== Infinity))).toBe(1);
    expect(await flow.producer.queue.stats('grouped')).toMatchObject({ waiting: 0, running: 0 });
  });

  it('leaves no key of an idle group behind', async () => {
    const handles = await enqueue('gone', 3);
    await startWorkers({
      grouped: { groups: { concurrency: 1, rateLimit: { max: 5, perMs: 50 } } },
    });
    await Promise.all(handles.map((handle) => handle.result()));
    const redis = rawRedis();
    try {
      // The rate log expires perMs after the last start.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const keys = await dataKeysOf(redis, flow.producer.prefix);
      expect(keys.filter((key) => key.includes(':g:') || key.endsWith(':groups'))).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});

@Injectable()
class TenantTasks {
  @Task({ name: 'tenant.work', queue: 'tenants', group: (tenant: string) => `tenant-${tenant}` })
  async work(tenant: string): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return tenant;
  }

  @Task({ name: 'tenant.plain', queue: 'tenants' })
  plain(): string {
    return 'plain';
  }
}

describe('@Task({ group })', () => {
  it("groups each task by the function's key, which groups.concurrency limits", async () => {
    const app = await createTestApp([TenantTasks], {
      worker: { concurrency: 6 },
      queues: { tenants: { groups: { concurrency: 1 } } },
    });
    try {
      const handles = await Promise.all(
        ['x', 'x', 'x', 'y', 'y', 'y'].map((tenant) => app.queue.enqueue('tenant.work', [tenant])),
      );
      await Promise.all(handles.map((handle) => handle.result()));
      expect(mostAtOnce(await runSpans(handles.slice(0, 3)))).toBe(1);
      expect(mostAtOnce(await runSpans(handles.slice(3)))).toBe(1);
      expect(await app.queue.settings('tenants')).toMatchObject({ groups: { concurrency: 1 } });
      // Ungrouped tasks take their turn among the groups.
      const grouped = await Promise.all(
        Array.from({ length: 10 }, () => app.queue.enqueue('tenant.work', ['z'])),
      );
      const ungrouped = await app.queue.enqueue('tenant.plain', []);
      await Promise.all([...grouped, ungrouped].map((handle) => handle.result()));
    } finally {
      await app.close();
    }
  });
});

@Injectable()
class BadGroups {
  @Task({ name: 'bad.throws', group: () => JSON.parse('{') as string })
  throws(): void {}

  @Task({ name: 'bad.number', group: () => 42 as unknown as string })
  number(): void {}
}

describe('bad group input', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp([BadGroups], { worker: { enabled: false } });
  });
  afterEach(() => app.close());

  it.each([
    ['a group function that throws', 'bad.throws', 'group (from @Task)'],
    ['a group function that returns a number', 'bad.number', 'group (from @Task)'],
  ])('refuses %s with InvalidOptionsError, writing nothing', async (_what, name, field) => {
    const error = await app.queue.enqueue(name, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).field).toBe(field);
    expect(await app.queue.queues()).toEqual([]);
  });

  it('refuses an enqueue group that is not a name', async () => {
    const error = await app.queue
      .enqueue('bad.number', [], { group: 'a:b' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(await app.queue.queues()).toEqual([]);
  });
});
