import { inspect } from 'util';
import { Injectable } from '@nestjs/common';
import {
  LockService,
  MessageAlreadyExistsError,
  Task,
  TaskFailedError,
  TaskHandle,
} from '../../lib';
import { testRedisUrl } from '../support/redis';
import { createTestApp, TestApp } from '../support/test-app';

/** Stands for a password: it is in the connection options, so any leak of a client shows it. */
const CANARY = 'canary-0f3c9e';

@Injectable()
class Shapes {
  @Task('shapes.echo')
  async echo(value: string): Promise<string> {
    return value;
  }

  @Task('shapes.fail')
  async fail(): Promise<never> {
    throw new Error('it broke');
  }
}

/** What a controller's answer, a log line or a debugger would show of a value. */
function renderings(value: unknown): string[] {
  return [JSON.stringify(value), inspect(value, { depth: 20, showHidden: true })];
}

/** A handle's rendering is small; an error's holds its stack, so only its content is checked. */
function expectNothingInternal(value: unknown, maxLength = 2_000): void {
  for (const text of renderings(value)) {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain('redis.call');
    expect(text.length).toBeLessThan(maxLength);
  }
}

describe('what handles and errors show when serialised or inspected', () => {
  let app: TestApp;

  beforeAll(async () => {
    const { hostname, port } = new URL(testRedisUrl());
    app = await createTestApp([Shapes], {
      connection: { host: hostname, port: Number(port), connectionName: CANARY },
    });
  });
  afterAll(() => app.close());

  it('shows a task handle as { id, queue } only', async () => {
    const handle = await app.queue.enqueue('shapes.echo', ['hi']);
    expect(JSON.parse(JSON.stringify(handle))).toEqual({ id: handle.id, queue: 'default' });
    expect(JSON.parse(JSON.stringify(app.queue.handle(handle.id)))).toEqual({ id: handle.id });
    expectNothingInternal(handle);
    expectNothingInternal(app.queue.handle(handle.id));
    await handle.result({ timeout: 5000 });
  });

  it('shows chains, groups and chords as ids and their tasks’ { id, queue }', async () => {
    const chain = await app.queue.chain([
      { task: 'shapes.echo', args: ['a'] },
      { task: 'shapes.echo', args: ['b'] },
    ]);
    const group = await app.queue.group([{ task: 'shapes.echo', args: ['c'] }]);
    const chord = await app.queue.chord([{ task: 'shapes.echo', args: ['d'] }], {
      task: 'shapes.echo',
      args: ['e'],
    });
    const publicTask = (handle: TaskHandle) => ({ id: handle.id, queue: 'default' });
    expect(JSON.parse(JSON.stringify(chain))).toEqual({
      id: chain.id,
      steps: chain.steps.map(publicTask),
    });
    expect(JSON.parse(JSON.stringify(group))).toEqual({
      id: group.id,
      parts: group.parts.map(publicTask),
    });
    expect(JSON.parse(JSON.stringify(chord))).toEqual({
      id: chord.id,
      parts: chord.parts.map(publicTask),
      callback: publicTask(chord.callback),
    });
    for (const value of [chain, group, chord]) expectNothingInternal(value);
    await Promise.all([chain.result(), group.results(), chord.result()]);
  });

  it('shows a lock handle without its clients or its release token', async () => {
    const lock = await app.app.get(LockService).acquire(`shapes-${Date.now()}`);
    expect(lock).not.toBeNull();
    const shown = JSON.parse(JSON.stringify(lock)) as Record<string, unknown>;
    expect(shown).toEqual({
      name: lock?.name,
      fence: lock?.fence,
      holder: lock?.holder,
      lost: false,
    });
    expect(JSON.stringify(lock)).not.toContain(lock?.token ?? '-');
    expectNothingInternal(lock);
    await lock?.release();
  });

  it('carries no client objects on the errors it throws', async () => {
    const handle = await app.queue.enqueue('shapes.echo', ['x'], { id: `shapes-${Date.now()}` });
    const duplicate = await app.queue
      .enqueue('shapes.echo', ['x'], { id: handle.id })
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(MessageAlreadyExistsError);
    const failed = await (
      await app.queue.enqueue('shapes.fail', [], { retries: 0 })
    )
      .result({ timeout: 5000 })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(TaskFailedError);
    for (const error of [duplicate, failed]) expectNothingInternal(error, 20_000);
  });
});
