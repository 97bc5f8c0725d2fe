import { InvalidOptionsError, Task } from '../../../lib';
import { validateRecurrence } from '../../../lib/options/schedule-options.validator';
import { firstTick, ticksAfter } from '../../../lib/scheduling/recurrence';
import { catchInvalidOptions } from '../../support/expect-invalid';

const at = (iso: string) => new Date(iso).getTime();

describe('recurrences', () => {
  describe('validation', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['neither cron nor every', {}, 'schedule'],
      ['both cron and every', { cron: '* * * * *', every: 1000 }, 'schedule'],
      ['a cron expression with too few fields', { cron: '* * *' }, 'schedule.cron'],
      ['a cron expression with a bad field', { cron: '61 * * * *' }, 'schedule.cron'],
      ['a cron that is not a string', { cron: 5 }, 'schedule.cron'],
      ['an unknown time zone', { cron: '0 * * * *', tz: 'Mars/Olympus' }, 'schedule.tz'],
      ['a time zone with every', { every: 1000, tz: 'UTC' }, 'schedule.tz'],
      ['an interval under 100 ms', { every: 10 }, 'schedule.every'],
      ['a negative interval', { every: -1000 }, 'schedule.every'],
    ])('refuses %s', (_, raw, field) => {
      expect(catchInvalidOptions(() => validateRecurrence(raw, 'schedule')).field).toBe(field);
    });

    it('accepts 5- and 6-field cron expressions and IANA time zones', () => {
      expect(validateRecurrence({ cron: '*/5 * * * *' }, 's')).toEqual({ cron: '*/5 * * * *' });
      expect(validateRecurrence({ cron: '0 0 9 * * 1-5', tz: 'Europe/Paris' }, 's')).toEqual({
        cron: '0 0 9 * * 1-5',
        tz: 'Europe/Paris',
      });
    });

    it('fails a bad @Task schedule when the class is defined', () => {
      expect(() => {
        class Reports {
          @Task({ name: 'report.bad', schedule: { cron: 'every morning' } })
          build(): void {}
        }
        return Reports;
      }).toThrow(InvalidOptionsError);
    });
  });

  describe('ticks', () => {
    it('keeps the phase of an interval, and skips ahead over missed ticks', () => {
      expect(firstTick({ every: 1000 }, 5_000)).toBe(6_000);
      expect(ticksAfter({ every: 1000 }, 6_000, 6_010)).toEqual({
        following: 7_000,
        upcoming: 7_000,
      });
      expect(ticksAfter({ every: 1000 }, 6_000, 9_500)).toEqual({
        following: 7_000,
        upcoming: 10_000,
      });
    });

    it('follows a cron expression in its time zone', () => {
      const daily = { cron: '0 9 * * *', tz: 'Europe/Paris' };
      // 9:00 in Paris is 8:00 UTC in winter.
      expect(firstTick(daily, at('2026-01-10T07:00:00Z'))).toBe(at('2026-01-10T08:00:00Z'));
      expect(ticksAfter(daily, at('2026-01-10T08:00:00Z'), at('2026-01-10T08:00:01Z'))).toEqual({
        following: at('2026-01-11T08:00:00Z'),
        upcoming: at('2026-01-11T08:00:00Z'),
      });
      // Down for three days: the next tick still ahead, not the ones missed.
      expect(
        ticksAfter(daily, at('2026-01-10T08:00:00Z'), at('2026-01-13T12:00:00Z')).upcoming,
      ).toBe(at('2026-01-14T08:00:00Z'));
    });

    it('reads cron expressions in UTC when no time zone is given', () => {
      expect(firstTick({ cron: '30 2 * * *' }, at('2026-06-01T00:00:00Z'))).toBe(
        at('2026-06-01T02:30:00Z'),
      );
    });
  });
});
