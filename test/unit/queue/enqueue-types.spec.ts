import { QueueService } from '../../../lib/queue/queue.service';
import { TaskHandle } from '../../../lib/queue/task-handle';
import type { TaskBatch } from '../../../lib/core/task-batch';

/**
 * Compile-time checks of `QueueService.enqueue(Class, 'method', args)`. ts-jest type-checks this
 * file: a call below that stops being an error makes its `@ts-expect-error` unused, and a valid
 * call that starts failing is an error, so either regression fails the suite. The calls are
 * never run, so no Redis is needed.
 */

interface Order {
  id: string;
  lines: { sku: string; quantity: number }[];
  note?: string;
  placedAt: string | null;
}

class Money {
  constructor(readonly cents: number) {}

  format(): string {
    return `${this.cents}`;
  }
}

/** Handlers whose parameters the JSON serializer would refuse (or accept). */
class Shapes {
  async plain(_order: Order, _tags: readonly string[], _flag: boolean): Promise<void> {}
  async optional(_required: string | undefined, _count?: number): Promise<void> {}
  async free(_anything: unknown): Promise<void> {}
  async at(_when: Date): Promise<void> {}
  async lookup(_table: Map<string, number>): Promise<void> {}
  async nested(_order: { id: string; placed: Date }): Promise<void> {}
  async money(_amount: Money): Promise<void> {}
  async big(_value: bigint): Promise<void> {}
  async callback(_done: () => void): Promise<void> {}
  async many(_dates: Date[]): Promise<void> {}
}

class Calc {
  rate = 2;

  async add(a: number, b: number): Promise<number> {
    return a + b;
  }

  describe(value: number, unit?: string): string {
    return `${value}${unit ?? ''}`;
  }

  async log(..._lines: string[]): Promise<void> {}

  async reset(): Promise<{ cleared: boolean }> {
    return { cleared: true };
  }
}

/** A batch handler: enqueued one item at a time, each item's result its own. */
class Mailer {
  async send({ items }: TaskBatch<[to: string, body: string]>): Promise<(string | Error)[]> {
    return items.map(({ args: [to] }) => to);
  }

  async loose(_payload: unknown): Promise<void> {}
}

const queue = {} as QueueService;

async function typeChecks(): Promise<void> {
  // Valid calls, and the handle's result type is the method's resolved return type.
  const sum: TaskHandle<number> = await queue.enqueue(Calc, 'add', [1, 2]);
  const total: number = await sum.result();
  const text: TaskHandle<string> = await queue.enqueue(Calc, 'describe', [3]);
  await queue.enqueue(Calc, 'describe', [3, 'kg']);
  await queue.enqueue(Calc, 'log', []);
  await queue.enqueue(Calc, 'log', ['a', 'b', 'c']);
  const reset = await queue.enqueue(Calc, 'reset', [], { priority: 1, delay: 10 });
  const cleared: boolean = (await reset.result()).cleared;

  // No parameter: the arguments may be left out, with or without options after them.
  await queue.enqueue(Calc, 'reset');
  const resetHandle: TaskHandle<{ cleared: boolean }> = await queue.enqueue(Calc, 'reset');
  await queue.enqueue(Calc, 'reset', undefined, { priority: 1 });
  // @ts-expect-error reset takes no arguments
  await queue.enqueue(Calc, 'reset', [1]);

  // Wrong argument types.
  // @ts-expect-error b must be a number
  await queue.enqueue(Calc, 'add', [1, '2']);
  // @ts-expect-error lines must be strings
  await queue.enqueue(Calc, 'log', ['a', 1]);
  // @ts-expect-error args must be a tuple, not a bare value
  await queue.enqueue(Calc, 'add', 1);

  // Wrong method names.
  // @ts-expect-error Calc has no method 'sub'
  await queue.enqueue(Calc, 'sub', [1, 2]);
  // @ts-expect-error 'rate' is a property, not a method
  await queue.enqueue(Calc, 'rate', []);

  // Wrong arity.
  // @ts-expect-error add needs two arguments
  await queue.enqueue(Calc, 'add', [1]);
  // @ts-expect-error add takes only two arguments
  await queue.enqueue(Calc, 'add', [1, 2, 3]);
  // @ts-expect-error describe needs at least one argument
  await queue.enqueue(Calc, 'describe', []);
  // @ts-expect-error args cannot be omitted when enqueueing by class and method
  await queue.enqueue(Calc, 'add');

  // Wrong result types.
  // @ts-expect-error add resolves to a number, not a string
  const wrongHandle: TaskHandle<string> = await queue.enqueue(Calc, 'add', [1, 2]);
  // @ts-expect-error the result of add is a number
  const wrongResult: string = await sum.result();

  // Wrong options.
  // @ts-expect-error priority must be a number
  await queue.enqueue(Calc, 'add', [1, 2], { priority: 'high' });
  // @ts-expect-error unknown option
  await queue.enqueue(Calc, 'add', [1, 2], { retires: 2 });

  // Arguments held to what the JSON serializer accepts.
  const order: Order = { id: 'o', lines: [{ sku: 'a', quantity: 1 }], placedAt: null };
  await queue.enqueue(Shapes, 'plain', [order, ['x'], true]);
  await queue.enqueue(Shapes, 'optional', ['a']);
  await queue.enqueue(Shapes, 'optional', ['a', 2]);
  await queue.enqueue(Shapes, 'free', [{ any: 'thing' }]);
  // @ts-expect-error undefined cannot be stored as an argument
  await queue.enqueue(Shapes, 'optional', [undefined]);
  // @ts-expect-error a Date does not survive JSON
  await queue.enqueue(Shapes, 'at', [new Date()]);
  // @ts-expect-error a Map does not survive JSON
  await queue.enqueue(Shapes, 'lookup', [new Map<string, number>()]);
  // @ts-expect-error a Date inside an object does not survive JSON
  await queue.enqueue(Shapes, 'nested', [{ id: 'o', placed: new Date() }]);
  // @ts-expect-error a class instance with methods loses its prototype
  await queue.enqueue(Shapes, 'money', [new Money(100)]);
  // @ts-expect-error BigInt is not JSON
  await queue.enqueue(Shapes, 'big', [1n]);
  // @ts-expect-error a function cannot be stored
  await queue.enqueue(Shapes, 'callback', [() => undefined]);
  // @ts-expect-error Dates in an array do not survive JSON
  await queue.enqueue(Shapes, 'many', [[new Date()]]);

  // A batch handler takes one item's arguments, and its handle one item's result.
  const mail: TaskHandle<string> = await queue.enqueue(Mailer, 'send', ['a@b.c', 'hi']);
  const messageId: string = await mail.result();
  // @ts-expect-error an item of send takes two strings
  await queue.enqueue(Mailer, 'send', ['a@b.c']);
  // @ts-expect-error an item is enqueued with its own arguments, not as a batch
  await queue.enqueue(Mailer, 'send', [{ items: [] }]);
  // @ts-expect-error an item's result is a string, never the Error that fails it
  const mailError: TaskHandle<Error> = await queue.enqueue(Mailer, 'send', ['a@b.c', 'hi']);
  // A parameter that merely accepts a batch is not a batch handler's.
  await queue.enqueue(Mailer, 'loose', [{ items: [] }]);
  // @ts-expect-error loose takes one argument
  await queue.enqueue(Mailer, 'loose', [1, 2]);

  // By name, the result is unknown and arguments are not checked.
  const byName = await queue.enqueue('math.add', [1, 'anything']);
  const unknownResult: unknown = await byName.result();
  // @ts-expect-error a handle enqueued by name has an unknown result
  const notANumber: number = await byName.result();

  void resetHandle;
  void [mailError, messageId];
  void [total, text, cleared, wrongHandle, wrongResult, unknownResult, notANumber];
}

describe('QueueService.enqueue types', () => {
  it('compiles the type checks above (a failed check fails the suite at compile time)', () => {
    expect(typeof typeChecks).toBe('function');
  });
});
