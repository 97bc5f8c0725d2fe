import { TaskOptions } from '../../../lib/options/task.options';
import { validateTaskOptions } from '../../../lib/options/task-options.validator';
import { catchInvalidOptions } from '../../support/expect-invalid';

/** Lets a test pass options the types forbid, as a JavaScript caller could. */
function validateUntyped(options: unknown, field = 'defaults', extraKeys?: string[]) {
  return validateTaskOptions(options as TaskOptions, field, extraKeys);
}

describe('validateTaskOptions', () => {
  it('leaves absent options absent, so that option layers can be merged afterwards', () => {
    expect(validateTaskOptions({}, 'defaults')).toEqual({});
    expect(Object.keys(validateTaskOptions({ retries: 2 }, 'defaults'))).toEqual(['retries']);
  });

  it('keeps every valid option', () => {
    expect(
      validateTaskOptions(
        {
          queue: 'emails',
          priority: -5,
          retries: 0,
          backoff: { type: 'linear', delay: 100 },
          timeout: 1000,
          resultTtl: 5000,
        },
        'defaults',
      ),
    ).toEqual({
      queue: 'emails',
      priority: -5,
      retries: 0,
      backoff: { type: 'linear', delay: 100 },
      timeout: 1000,
      resultTtl: 5000,
    });
  });

  it('rounds fractional durations up to whole milliseconds', () => {
    expect(validateTaskOptions({ resultTtl: 0 }, 'defaults')).toEqual({ resultTtl: 0 });
    expect(validateTaskOptions({ timeout: 1.2, resultTtl: 9.9 }, 'defaults')).toMatchObject({
      timeout: 2,
      resultTtl: 10,
    });
  });

  it('turns a number backoff into a constant backoff', () => {
    expect(validateTaskOptions({ backoff: 250 }, 'defaults').backoff).toEqual({
      type: 'constant',
      delay: 250,
    });
  });

  it('accepts the extra keys it is given (the enqueue-only options)', () => {
    expect(validateUntyped({ id: 'x', retries: 1 }, '', ['id'])).toEqual({ retries: 1 });
  });

  it.each<[string, unknown, string]>([
    ['negative retries', { retries: -1 }, 'defaults.retries'],
    ['fractional retries', { retries: 1.5 }, 'defaults.retries'],
    ['a fractional priority', { priority: 0.5 }, 'defaults.priority'],
    ['a priority out of range', { priority: 2_000_000_000 }, 'defaults.priority'],
    ['a queue name with :', { queue: 'a:b' }, 'defaults.queue'],
    ['an empty queue name', { queue: '' }, 'defaults.queue'],
    ['a zero timeout', { timeout: 0 }, 'defaults.timeout'],
    ['an infinite timeout', { timeout: Infinity }, 'defaults.timeout'],
    ['a NaN resultTtl', { resultTtl: NaN }, 'defaults.resultTtl'],
    ['a negative resultTtl', { resultTtl: -1 }, 'defaults.resultTtl'],
    // PEXPIRE would refuse it halfway through the script that ends the task.
    ['a resultTtl Redis cannot store', { resultTtl: 1e19 }, 'defaults.resultTtl'],
    [
      'a backoff ceiling Redis cannot store',
      { backoff: { type: 'constant', delay: 1, ceiling: 1e14 } },
      'defaults.backoff.ceiling',
    ],
    ['an unknown key', { retires: 3 }, 'defaults.retires'],
    ['a negative number backoff', { backoff: -1 }, 'defaults.backoff'],
    ['a backoff without a type', { backoff: { delay: 1 } }, 'defaults.backoff.type'],
    ['a backoff without a delay', { backoff: { type: 'constant' } }, 'defaults.backoff.delay'],
    [
      'a negative backoff ceiling',
      { backoff: { type: 'constant', delay: 1, ceiling: -1 } },
      'defaults.backoff.ceiling',
    ],
    [
      'an unknown backoff key',
      { backoff: { type: 'constant', delay: 1, max: 5 } },
      'defaults.backoff.max',
    ],
    [
      'a non-boolean jitter',
      { backoff: { type: 'constant', delay: 1, jitter: 1 } },
      'defaults.backoff.jitter',
    ],
    ['a string backoff', { backoff: 'exponential' }, 'defaults.backoff'],
  ])('rejects %s, naming the field', (_what, options, field) => {
    expect(catchInvalidOptions(() => validateUntyped(options)).field).toBe(field);
  });

  it('names fields without a leading dot when validating at the top level', () => {
    expect(catchInvalidOptions(() => validateUntyped({ retries: -1 }, '')).field).toBe('retries');
  });

  it('accepts a backoff whose floor equals its ceiling', () => {
    expect(
      validateTaskOptions(
        { backoff: { type: 'constant', delay: 1, floor: 100, ceiling: 100 } },
        'defaults',
      ).backoff,
    ).toEqual({ type: 'constant', delay: 1, floor: 100, ceiling: 100 });
  });
});
