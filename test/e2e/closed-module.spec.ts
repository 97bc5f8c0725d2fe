import { EventsReader } from '../../lib/status/events-reader';
import { QueueClosedError, StatusUpdate, TaskStatus } from '../../lib';
import { createTestApp } from '../support/test-app';

/** Yields to the event loop until `condition` holds (no clock involved). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/** How an observable subscription ended: 'completed', or the error it got. */
function ending(subscribe: (end: (how: unknown) => void) => void): Promise<unknown> {
  return new Promise((resolve) => subscribe(resolve));
}

describe('following tasks when the application closes', () => {
  it('errors status$, result() and allResults() with QueueClosedError and completes events$', async () => {
    // No worker: the task stays SUBMITTED, so every wait below is still waiting at close.
    const producer = await createTestApp([], { worker: { enabled: false } });
    const reader = producer.app.get(EventsReader);
    const listening: Promise<unknown>[] = [];
    const listen = reader.listen.bind(reader);
    jest.spyOn(reader, 'listen').mockImplementation((...args) => {
      const registered = listen(...args);
      listening.push(registered);
      return registered;
    });
    const handle = await producer.queue.enqueue('closed.never-runs', []);
    const seen: StatusUpdate[] = [];
    const status = ending((end) =>
      handle.status$.subscribe({
        next: (u) => seen.push(u),
        error: end,
        complete: () => end('completed'),
      }),
    );
    const result = handle.result().catch((error: unknown) => error);
    const all = producer.queue.allResults([handle]).catch((error: unknown) => error);
    const events = ending((end) =>
      producer.queue.events$().subscribe({ error: end, complete: () => end('completed') }),
    );
    await until(() => listening.length === 4);
    await Promise.all(listening);

    await producer.close();
    expect(seen.map((update) => update.status)).toEqual([TaskStatus.SUBMITTED]);
    expect(await status).toBeInstanceOf(QueueClosedError);
    expect(await result).toBeInstanceOf(QueueClosedError);
    expect(await all).toBeInstanceOf(QueueClosedError);
    expect(((await result) as Error).message).toContain('follow them from a running application');
    expect(await events).toBe('completed');
    // Subscribed after the close: events$() ends the same way, status$ errors the same way.
    expect(
      await ending((end) =>
        handle.status$.subscribe({ error: end, complete: () => end('completed') }),
      ),
    ).toBeInstanceOf(QueueClosedError);
    expect(
      await ending((end) =>
        producer.queue.events$().subscribe({ error: end, complete: () => end('completed') }),
      ),
    ).toBe('completed');
    // Nothing is left registered with the closed reader.
    await expect(
      reader.listen(
        { queue: 'default' },
        () => undefined,
        () => undefined,
      ),
    ).rejects.toBeInstanceOf(QueueClosedError);
  });
});
