import 'reflect-metadata';
import { Task } from '../../../lib/decorators/task.decorator';
import { readTaskMetadata } from '../../../lib/discovery/task-metadata.accessor';
import { TaskDecoratorOptions } from '../../../lib/options/task.options';
import { catchInvalidOptions } from '../../support/expect-invalid';

/** Declares a class with one @Task method, as user code would, and returns the class. */
function declareHandler(options?: unknown) {
  class ReportService {
    @Task(options as TaskDecoratorOptions)
    async build(): Promise<void> {}
  }
  return ReportService;
}

describe('@Task', () => {
  it('names the task ClassName.methodName by default', () => {
    class InvoiceService {
      @Task()
      async issue(): Promise<void> {}
    }
    expect(readTaskMetadata(InvoiceService.prototype.issue)?.name).toBe('InvoiceService.issue');
  });

  it('names the task ClassName.methodName when options omit the name', () => {
    class InvoiceService {
      @Task({ retries: 1 })
      async issue(): Promise<void> {}
    }
    expect(readTaskMetadata(InvoiceService.prototype.issue)?.name).toBe('InvoiceService.issue');
  });

  it('takes a string as shorthand for { name }', () => {
    class EmailService {
      @Task('email.send')
      async send(): Promise<void> {}
    }
    expect(readTaskMetadata(EmailService.prototype.send)).toEqual({
      name: 'email.send',
      options: {},
    });
  });

  it('stores the validated options without the name', () => {
    class EmailService {
      @Task({
        name: 'email.send',
        queue: 'emails',
        retries: 5,
        backoff: { type: 'exponential', delay: 500, floor: 500, ceiling: 30_000, jitter: true },
        timeout: 10_000,
        priority: 2,
        resultTtl: 3_600_000,
      })
      async send(): Promise<void> {}
    }
    expect(readTaskMetadata(EmailService.prototype.send)).toEqual({
      name: 'email.send',
      options: {
        queue: 'emails',
        retries: 5,
        backoff: { type: 'exponential', delay: 500, floor: 500, ceiling: 30_000, jitter: true },
        timeout: 10_000,
        priority: 2,
        resultTtl: 3_600_000,
      },
    });
  });

  it('stores only the options given, so module defaults still apply to the rest', () => {
    class EmailService {
      @Task({ queue: 'emails' })
      async send(): Promise<void> {}
    }
    expect(readTaskMetadata(EmailService.prototype.send)?.options).toEqual({ queue: 'emails' });
  });

  it('stores a number backoff as a constant backoff', () => {
    class EmailService {
      @Task({ backoff: 2000 })
      async send(): Promise<void> {}
    }
    expect(readTaskMetadata(EmailService.prototype.send)?.options.backoff).toEqual({
      type: 'constant',
      delay: 2000,
    });
  });

  it('keeps each method of a class a separate task', () => {
    class MathService {
      @Task('math.add')
      async add(): Promise<void> {}

      @Task({ name: 'math.mul', queue: 'heavy' })
      async mul(): Promise<void> {}

      async helper(): Promise<void> {}
    }
    expect(readTaskMetadata(MathService.prototype.add)).toEqual({ name: 'math.add', options: {} });
    expect(readTaskMetadata(MathService.prototype.mul)).toEqual({
      name: 'math.mul',
      options: { queue: 'heavy' },
    });
    expect(readTaskMetadata(MathService.prototype.helper)).toBeUndefined();
  });

  it('leaves the method itself callable', async () => {
    class MathService {
      @Task()
      async add(a: number, b: number): Promise<number> {
        return a + b;
      }
    }
    await expect(new MathService().add(2, 3)).resolves.toBe(5);
  });

  it('accepts default names from class names with $ or non-ASCII letters', () => {
    class Cache$Service {
      @Task()
      run(): void {}
    }
    class ÜberService {
      @Task()
      zähle(): void {}
    }
    expect(readTaskMetadata(Cache$Service.prototype.run)?.name).toBe('Cache$Service.run');
    expect(readTaskMetadata(ÜberService.prototype.zähle)?.name).toBe('ÜberService.zähle');
  });

  describe('invalid options throw InvalidOptionsError when the class is defined', () => {
    it.each<[string, unknown, string]>([
      ['negative retries', { retries: -1 }, '@Task(ReportService.build).retries'],
      ['a queue name with :', { queue: 'a:b' }, '@Task(ReportService.build).queue'],
      ['an unknown option key', { retires: 2 }, '@Task(ReportService.build).retires'],
      ['a name with {', { name: 'a{b}' }, '@Task(ReportService.build).name'],
      ['an empty name', { name: '' }, '@Task(ReportService.build).name'],
      ['an empty string shorthand', '', '@Task(ReportService.build).name'],
      ['a zero timeout', { timeout: 0 }, '@Task(ReportService.build).timeout'],
      [
        'a backoff floor above its ceiling',
        { backoff: { type: 'linear', delay: 1, floor: 10, ceiling: 5 } },
        '@Task(ReportService.build).backoff.floor',
      ],
      [
        'a rateLimit.max of 0',
        { rateLimit: { max: 0, perMs: 1000 } },
        '@Task(ReportService.build).rateLimit.max',
      ],
      [
        'a fractional rateLimit.perMs',
        { rateLimit: { max: 5, perMs: 1.5 } },
        '@Task(ReportService.build).rateLimit.perMs',
      ],
      [
        'a rateLimit without perMs',
        { rateLimit: { max: 5 } },
        '@Task(ReportService.build).rateLimit.perMs',
      ],
      ['a rateLimit that is a number', { rateLimit: 5 }, '@Task(ReportService.build).rateLimit'],
      ['a group that is a string', { group: 'tenant' }, '@Task(ReportService.build).group'],
      [
        'an unknown rateLimit key',
        { rateLimit: { max: 5, perMs: 10, burst: 2 } },
        '@Task(ReportService.build).rateLimit.burst',
      ],
      ['a batch that is a number', { batch: 10 }, '@Task(ReportService.build).batch'],
      [
        'a batch size of 0',
        { batch: { size: 0, waitMs: 10 } },
        '@Task(ReportService.build).batch.size',
      ],
      [
        'a fractional batch size',
        { batch: { size: 2.5, waitMs: 10 } },
        '@Task(ReportService.build).batch.size',
      ],
      [
        'a batch without waitMs',
        { batch: { size: 10 } },
        '@Task(ReportService.build).batch.waitMs',
      ],
      [
        'a negative batch waitMs',
        { batch: { size: 10, waitMs: -1 } },
        '@Task(ReportService.build).batch.waitMs',
      ],
      [
        'an unknown batch key',
        { batch: { size: 10, waitMs: 5, minSize: 2 } },
        '@Task(ReportService.build).batch.minSize',
      ],
      [
        "a batch with mechanism 'thread'",
        { batch: { size: 10, waitMs: 5 }, mechanism: 'thread' },
        '@Task(ReportService.build).batch',
      ],
      [
        "a batch with mechanism 'process'",
        { batch: { size: 10, waitMs: 5 }, mechanism: 'process' },
        '@Task(ReportService.build).batch',
      ],
    ])('rejects %s, naming class, method and field', (_what, options, field) => {
      expect(catchInvalidOptions(() => declareHandler(options)).field).toBe(field);
    });

    it('lists every @Task() option in the message of an unknown one', () => {
      const error = catchInvalidOptions(() => declareHandler({ retires: 2 }));
      const keys = ['queue', 'priority', 'retries', 'backoff', 'timeout', 'resultTtl'];
      for (const key of [
        ...keys,
        'name',
        'schedule',
        'lock',
        'concurrency',
        'rateLimit',
        'group',
        'mechanism',
        'batch',
      ]) {
        expect(error.message).toMatch(new RegExp(`\\b${key}\\b`));
      }
    });

    it('mentions the class and method in the message', () => {
      const error = catchInvalidOptions(() => declareHandler({ retries: -1 }));
      expect(error.message).toContain('ReportService.build');
      expect(error.message).toContain('-1');
    });
  });
});

describe('readTaskMetadata', () => {
  it('returns undefined for values that are not functions', () => {
    expect(readTaskMetadata(undefined)).toBeUndefined();
    expect(readTaskMetadata('email.send')).toBeUndefined();
  });
});
