import { Injectable } from '@nestjs/common';
import { QueueModule } from '../../../lib/module/queue.module';
import { UnlistedDecoratorKeys } from '../../../lib/options/task-options.validator';

/**
 * Compile-time checks of QueueModule.forRootAsync's factory result (see enqueue-types.spec.ts
 * for how ts-jest turns these into a test).
 */

@Injectable()
class Config {
  url = 'redis://127.0.0.1:6399';
}

function typeChecks(): void {
  // Valid factories: sync or async, with injected parameters, global or not.
  QueueModule.forRootAsync({ useFactory: () => ({ connection: 'redis://x', prefix: 'app' }) });
  QueueModule.forRootAsync({
    inject: [Config],
    useFactory: async (config: Config) => ({
      connection: config.url,
      worker: { enabled: false, concurrency: 2 },
      defaults: { retries: 1 },
    }),
    isGlobal: false,
  });
  QueueModule.forRootAsync({ useFactory: () => ({}) });

  // Misspelled keys, at the top and one level down.
  QueueModule.forRootAsync({
    // @ts-expect-error 'wokrer' is not an option
    useFactory: () => ({ connection: 'redis://x', wokrer: { enabled: false } }),
  });
  QueueModule.forRootAsync({
    // @ts-expect-error 'enabeld' is not a worker option
    useFactory: async () => ({
      connection: 'redis://x',
      worker: { concurrency: 1, enabeld: false },
    }),
  });
  QueueModule.forRootAsync({
    // @ts-expect-error 'retires' is not a task option
    useFactory: () => ({ prefix: 'p', defaults: { priority: 1, retires: 2 } }),
  });
  QueueModule.forRootAsync({
    // @ts-expect-error prefix must be a string
    useFactory: () => ({ prefix: 1 }),
  });
}

// Every @Task() option is in the list its unknown-option message is built from.
const everyDecoratorKeyListed: [UnlistedDecoratorKeys] extends [never] ? true : false = true;

describe('QueueModule.forRootAsync types', () => {
  it('compiles the type checks above (a failed check fails the suite at compile time)', () => {
    expect(typeof typeChecks).toBe('function');
    expect(everyDecoratorKeyListed).toBe(true);
  });
});
