import {
  decodeRunOptions,
  encodeRunOptions,
  RunOptions,
} from '../../../lib/broker/run-options.codec';
import { DEFAULT_TASK_OPTIONS } from '../../../lib/options/defaults';

describe('run options codec', () => {
  const defaults: RunOptions = {
    retries: DEFAULT_TASK_OPTIONS.retries,
    backoff: DEFAULT_TASK_OPTIONS.backoff,
    timeout: DEFAULT_TASK_OPTIONS.timeout,
  };

  it('stores nothing for the built-in defaults and decodes nothing back to them', () => {
    expect(encodeRunOptions(defaults)).toBe('');
    expect(decodeRunOptions('')).toEqual(defaults);
  });

  it.each<[string, RunOptions]>([
    [
      'a constant backoff with a timeout',
      { retries: 0, backoff: { type: 'constant', delay: 5 }, timeout: 250 },
    ],
    [
      'a linear backoff with floor, ceiling and jitter',
      {
        retries: 7,
        backoff: { type: 'linear', delay: 100, floor: 50, ceiling: 900, jitter: true },
        timeout: undefined,
      },
    ],
    [
      'an exponential backoff with a floor only',
      { retries: 3, backoff: { type: 'exponential', delay: 1000, floor: 10 }, timeout: undefined },
    ],
  ])('round-trips %s', (_what, options) => {
    const encoded = encodeRunOptions(options);
    expect(encoded).not.toBe('');
    expect(decodeRunOptions(encoded)).toEqual(options);
  });

  it('encodes compactly (well under the 64 bytes of a listpack hash value)', () => {
    const encoded = encodeRunOptions({
      retries: 1000,
      backoff: {
        type: 'exponential',
        delay: 100000,
        floor: 100000,
        ceiling: 3600000,
        jitter: true,
      },
      timeout: 3600000,
    });
    expect(encoded.length).toBeLessThan(64);
  });

  it('decodes each text once into a frozen object that every run of the kind shares', () => {
    const encoded = encodeRunOptions({
      retries: 2,
      backoff: { type: 'linear', delay: 20 },
      timeout: 99,
    });
    const first = decodeRunOptions(encoded);
    expect(decodeRunOptions(encoded)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.backoff)).toBe(true);
    expect(Object.isFrozen(decodeRunOptions(''))).toBe(true);
  });

  it('keeps decoding right past the bound of its cache of texts', () => {
    for (let retries = 0; retries < 600; retries++) {
      const options: RunOptions = { retries, backoff: { type: 'constant', delay: 1 }, timeout: 5 };
      expect(decodeRunOptions(encodeRunOptions(options))).toEqual(options);
    }
  });

  it('throws on a text that is not its encoding (the worker fails such a task)', () => {
    expect(() => decodeRunOptions('{not json')).toThrow();
  });
});
