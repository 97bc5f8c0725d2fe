import { Injectable } from '@nestjs/common';
import {
  InvalidOptionsError,
  ProgressOptions,
  SerializationError,
  Task,
  TaskContext,
  taskContext,
  TaskStatus,
} from '../../lib';
import { Gate } from '../support/gate';
import { createTestApp, TestApp } from '../support/test-app';

const checked = new Gate();
const mayEnd = new Gate();
const errors: unknown[] = [];
let context: TaskContext | undefined;

async function errorOf(value: unknown, options?: unknown): Promise<unknown> {
  try {
    await taskContext().progress(value, options as ProgressOptions);
    return undefined;
  } catch (error) {
    return error;
  }
}

@Injectable()
class Inputs {
  @Task('progress.inputs')
  async inputs(): Promise<string> {
    context = taskContext();
    await context.progress({ done: 1 });
    errors.push(
      await errorOf(10n),
      await errorOf(2, { confirm: 'yes' }),
      await errorOf(2, { confrim: true }),
      await errorOf(2, 5),
      await errorOf({ done: 3 }, { confirm: true }),
    );
    checked.release();
    await mayEnd.wait();
    return 'done';
  }
}

describe('taskContext().progress() inputs', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([Inputs])));
  afterAll(() => t.close());

  it('refuses bad values and options at once and writes nothing for them', async () => {
    const handle = await t.queue.enqueue('progress.inputs', []);
    await checked.wait();
    const [value, confirmType, unknownKey, notObject, confirmed] = errors;
    expect(value).toBeInstanceOf(SerializationError);
    expect((value as SerializationError).path).toBe('progress');
    expect(confirmType).toBeInstanceOf(InvalidOptionsError);
    expect((confirmType as InvalidOptionsError).field).toBe('confirm');
    expect((unknownKey as InvalidOptionsError).field).toBe('confrim');
    expect((notObject as InvalidOptionsError).field).toBe('options');
    // A confirmed write resolved: the value is in Redis; none of the refused ones is.
    expect(confirmed).toBeUndefined();
    expect((await handle.status()).progress).toEqual({ done: 3 });
    mayEnd.release();
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('done');
  });

  it('ignores progress from a handler whose run is over', async () => {
    const handle = t.queue.handle((context as TaskContext).id);
    await expect((context as TaskContext).progress({ done: 9 })).resolves.toBeUndefined();
    await expect(
      (context as TaskContext).progress({ done: 9 }, { confirm: true }),
    ).resolves.toBeUndefined();
    const status = await handle.status();
    expect(status.status).toBe(TaskStatus.SUCCEEDED);
    expect(status.progress).toBeUndefined();
  });
});
