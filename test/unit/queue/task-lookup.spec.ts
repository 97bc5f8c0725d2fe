import { KeyBuilder } from '../../../lib/broker/keys';
import { TaskRouter } from '../../../lib/broker/task-router';
import { Logger } from '@nestjs/common';
import { Task } from '../../../lib/decorators/task.decorator';
import { closestName } from '../../../lib/discovery/name-suggestion';
import { TaskRegistry } from '../../../lib/discovery/task.registry';
import { InvalidOptionsError, UnknownTaskError } from '../../../lib/errors';
import { QueueModuleOptions } from '../../../lib/options/module.options';
import { resolveModuleOptions } from '../../../lib/options/module-options.validator';
import { taskCall } from '../../../lib/messages/task-call';
import { TaskMessageBuilder } from '../../../lib/messages/task-message.builder';
import { TaskRequest } from '../../../lib/messages/task-types';
import { catchInvalidOptions } from '../../support/expect-invalid';
import { TaskCatalog } from '../../../lib/catalog/task-catalog';
import { RedisConnections } from '../../../lib/redis/redis-connections';

class OrderTasks {
  @Task({ name: 'order.process', queue: 'orders', retries: 7 })
  async process(orderId: string): Promise<string> {
    return orderId;
  }

  @Task('order.refresh')
  async refresh(): Promise<void> {}

  async helper(): Promise<void> {}
}

function builderWith(options: QueueModuleOptions = {}, names: string[] = []): TaskMessageBuilder {
  const registry = new TaskRegistry();
  for (const name of names) {
    registry.register({ name, source: `Test.${name}`, options: {}, handler: () => null });
  }
  const resolved = resolveModuleOptions({ connection: 'redis://x:1', ...options });
  const keys = new KeyBuilder(resolved.prefix, resolved.keyLayout);
  const router = new TaskRouter(keys, resolved.queues);
  // The catalog connects lazily: these tests build messages without reading it.
  const catalog = new TaskCatalog(new RedisConnections(resolved.connection, resolved), keys);
  return new TaskMessageBuilder(resolved, registry, router, catalog);
}

function catchUnknownTask(action: () => unknown): UnknownTaskError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UnknownTaskError);
    return error as UnknownTaskError;
  }
  throw new Error('expected an UnknownTaskError, but nothing was thrown');
}

describe('closestName', () => {
  const known = ['order.process', 'order.refresh', 'email.send', 'a.b'];

  it.each([
    ['order.proces', 'order.process'], // a letter left out
    ['ordr.procss', 'order.process'], // two left out
    ['order.porcess', 'order.process'], // two letters swapped
    ['emial.send', 'email.send'],
    ['a.c', 'a.b'],
  ])('suggests %s → %s', (typo, expected) => {
    expect(closestName(typo, known)).toBe(expected);
  });

  it.each([['billing.charge'], ['order.procedure'], ['x.y'], ['order.process']])(
    'suggests nothing for %s (another name, or an exact one)',
    (name) => {
      expect(closestName(name, known)).toBeUndefined();
    },
  );
});

describe('enqueueing a misspelled task name', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('names the local task it resembles in the UnknownTaskError of strict mode', () => {
    const builder = builderWith({ strict: true }, ['order.process']);
    const error = catchUnknownTask(() => builder.build('order.proces', []));
    expect(error.message).toContain('did you mean "order.process"?');
  });

  it('says nothing of a suggestion in strict mode when no local name is close', () => {
    const builder = builderWith({ strict: true }, ['order.process']);
    expect(catchUnknownTask(() => builder.build('billing.charge', [])).message).not.toContain(
      'did you mean',
    );
  });

  it('enqueues without strict mode, warning once per name with the suggestion', () => {
    const builder = builderWith({}, ['order.process']);
    expect(builder.build('order.proces', ['o-1']).name).toBe('order.proces');
    builder.build('order.proces', ['o-2']);
    builder.build('order.procss', []);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[0][0]).toContain('"order.proces"');
    expect(warn.mock.calls[0][0]).toContain('did you mean "order.process"?');
    expect(warn.mock.calls[1][0]).toContain('"order.procss"');
  });

  it('does not warn about a name that resembles no local task (its handler lives elsewhere)', () => {
    builderWith({}, ['order.process']).build('billing.charge', []);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('enqueueing by class and method', () => {
  const builder = builderWith();

  it("uses the @Task's name and declared options", () => {
    expect(builder.buildCall(OrderTasks, 'process', ['o-1'])).toMatchObject({
      name: 'order.process',
      queue: 'orders',
      retries: 7,
    });
  });

  it('takes no arguments as [] for a method without parameters', () => {
    expect(JSON.parse(builder.buildCall(OrderTasks, 'refresh', undefined).args)).toEqual([]);
  });

  it('refuses missing arguments for a method with parameters, saying how many', () => {
    const error = catchInvalidOptions(() => builder.buildCall(OrderTasks, 'process', undefined));
    expect(error.field).toBe('args');
    expect(error.message).toContain('OrderTasks.process takes 1 parameter(s)');
  });

  it('refuses a method without @Task, naming class and method and saying to add @Task', () => {
    const error = catchUnknownTask(() => builder.buildCall(OrderTasks, 'helper', []));
    expect(error.taskName).toBe('OrderTasks.helper');
    expect(error.message).toContain('is a method but not a task; add @Task() to it');
  });

  it('refuses a method the class does not have', () => {
    const error = catchUnknownTask(() => builder.buildCall(OrderTasks, 'ship', []));
    expect(error.message).toContain('OrderTasks has no method "ship"');
  });

  it('refuses a task that is neither a name nor a class', () => {
    expect(catchInvalidOptions(() => builder.buildCall({}, 'process', [])).field).toBe('task');
  });

  it('builds a taskCall() request like enqueue(Class, method, args, options)', () => {
    const request: TaskRequest = taskCall(OrderTasks, 'process', ['o-1'], { priority: 3 });
    expect(builder.buildRequest(request, request.options)).toMatchObject({
      name: 'order.process',
      queue: 'orders',
      priority: 3,
      args: '["o-1"]',
    });
  });
});

describe('arguments that are not an array', () => {
  const builder = builderWith();

  it.each<[string, unknown, string]>([
    ['the options in their place', { priority: 1 }, 'pass the arguments first'],
    ['a bare string', 'a@b.c', 'wrap a single value: [value]'],
    ['null', null, 'got null'],
  ])('explain %s', (_what, args, hint) => {
    const error = catchInvalidOptions(() => builder.build('email.send', args));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.field).toBe('args');
    expect(error.message).toContain(hint);
  });
});
