import { validateBackoff } from '../../../lib/options/task-options.validator';
import { ResolvedBackoff } from '../../../lib/options/task.options';
import { computeBackoff } from '../../../lib/worker/backoff';

const FAILURES = [1, 2, 3, 4, 5];

function delays(backoff: ResolvedBackoff, random?: () => number): number[] {
  return FAILURES.map((failures) => computeBackoff(backoff, failures, random));
}

describe('computeBackoff', () => {
  describe('formulas for failures 1..5', () => {
    it('constant returns the base delay after every failure', () => {
      expect(delays({ type: 'constant', delay: 500 })).toEqual([500, 500, 500, 500, 500]);
    });

    it('linear multiplies the base delay by the number of failures', () => {
      expect(delays({ type: 'linear', delay: 500 })).toEqual([500, 1000, 1500, 2000, 2500]);
    });

    it('exponential doubles the delay after each failure, starting at the base delay', () => {
      expect(delays({ type: 'exponential', delay: 500 })).toEqual([500, 1000, 2000, 4000, 8000]);
    });

    it('treats a failure count below 1 as the first failure', () => {
      const backoff: ResolvedBackoff = { type: 'exponential', delay: 500 };
      expect(computeBackoff(backoff, 0)).toBe(500);
      expect(computeBackoff({ type: 'linear', delay: 500 }, -3)).toBe(500);
    });
  });

  describe('clipping', () => {
    it('raises delays below the floor up to the floor', () => {
      const backoff: ResolvedBackoff = { type: 'linear', delay: 100, floor: 250 };
      expect(delays(backoff)).toEqual([250, 250, 300, 400, 500]);
    });

    it('lowers delays above the ceiling down to the ceiling', () => {
      const backoff: ResolvedBackoff = { type: 'exponential', delay: 1000, ceiling: 5000 };
      expect(delays(backoff)).toEqual([1000, 2000, 4000, 5000, 5000]);
    });

    it('applies floor and ceiling together', () => {
      const backoff: ResolvedBackoff = {
        type: 'exponential',
        delay: 100,
        floor: 300,
        ceiling: 1000,
      };
      expect(delays(backoff)).toEqual([300, 300, 400, 800, 1000]);
    });

    it('clips after jitter, so a jittered delay never goes below the floor', () => {
      const backoff: ResolvedBackoff = { type: 'constant', delay: 1000, floor: 800, jitter: true };
      expect(computeBackoff(backoff, 1, () => 0)).toBe(800);
    });

    it('clips after jitter, so a jittered delay never exceeds the ceiling', () => {
      const backoff: ResolvedBackoff = {
        type: 'constant',
        delay: 1000,
        ceiling: 600,
        jitter: true,
      };
      expect(computeBackoff(backoff, 1, () => 0.999)).toBe(600);
    });
  });

  describe('jitter', () => {
    const backoff: ResolvedBackoff = { type: 'exponential', delay: 1000, jitter: true };

    it('picks half the computed delay when random() returns 0', () => {
      expect(delays(backoff, () => 0)).toEqual([500, 1000, 2000, 4000, 8000]);
    });

    it('picks just under the full computed delay when random() returns 0.999', () => {
      expect(delays(backoff, () => 0.999)).toEqual([1000, 1999, 3998, 7996, 15992]);
    });

    it('stays within [delay / 2, delay] for random values across [0, 1)', () => {
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.999]) {
        const value = computeBackoff({ type: 'constant', delay: 2000, jitter: true }, 1, () => r);
        expect(value).toBeGreaterThanOrEqual(1000);
        expect(value).toBeLessThanOrEqual(2000);
      }
    });

    it('does not call random() when jitter is off', () => {
      const random = jest.fn(() => 0.5);
      expect(computeBackoff({ type: 'constant', delay: 1000 }, 1, random)).toBe(1000);
      expect(random).not.toHaveBeenCalled();
    });
  });

  describe('huge failure counts', () => {
    it.each(['constant', 'linear', 'exponential'] as const)(
      '%s stays a finite, safe integer after 10 million failures',
      (type) => {
        const value = computeBackoff({ type, delay: 60_000 }, 10_000_000);
        expect(Number.isFinite(value)).toBe(true);
        expect(Number.isSafeInteger(value)).toBe(true);
      },
    );

    it('exponential stays finite even after an infinite number of failures, with jitter', () => {
      const value = computeBackoff(
        { type: 'exponential', delay: 1000, jitter: true },
        Number.POSITIVE_INFINITY,
        () => 0.999,
      );
      expect(Number.isSafeInteger(value)).toBe(true);
    });

    it('exponential with a ceiling returns exactly the ceiling after 5000 failures', () => {
      const backoff: ResolvedBackoff = { type: 'exponential', delay: 1000, ceiling: 60_000 };
      expect(computeBackoff(backoff, 5000)).toBe(60_000);
    });
  });
});

describe('validateBackoff', () => {
  it('turns a number into a constant backoff with that delay', () => {
    expect(validateBackoff(750, 'backoff')).toEqual({ type: 'constant', delay: 750 });
  });

  it('a number backoff yields the same delay after every failure', () => {
    const backoff = validateBackoff(750, 'backoff');
    expect(delays(backoff)).toEqual([750, 750, 750, 750, 750]);
  });

  it('keeps floor, ceiling and jitter of an object backoff', () => {
    expect(
      validateBackoff(
        { type: 'linear', delay: 10, floor: 20, ceiling: 30, jitter: true },
        'backoff',
      ),
    ).toEqual({ type: 'linear', delay: 10, floor: 20, ceiling: 30, jitter: true });
  });
});
