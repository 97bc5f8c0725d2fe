import { Test } from '@nestjs/testing';
import {
  DashboardNeedsHttpError,
  TaskmillDashboardModule,
  TaskmillDashboardOptions,
} from '../../lib';
import { catchInvalidOptions } from '../support/expect-invalid';
import { SwitchGuard, testQueueModule } from '../support/dashboard-app';

/** forRoot with options the types would refuse, as from plain JavaScript or a config file. */
const forRoot = (options: unknown) =>
  TaskmillDashboardModule.forRoot(options as TaskmillDashboardOptions);

class NotAGuard {}

describe('TaskmillDashboardModule.forRoot options', () => {
  it('requires access: a guard class or the word public', () => {
    const missing = catchInvalidOptions(() => forRoot({ path: '/taskmill' }));
    expect(missing.field).toBe('access');
    expect(missing.message).toContain('is required: a guard class (one with canActivate()');
    for (const access of ['yes', true, {}, NotAGuard, new SwitchGuard()]) {
      expect(catchInvalidOptions(() => forRoot({ path: '/taskmill', access })).field).toBe(
        'access',
      );
    }
  });

  it('refuses a path that is not a plain URL path', () => {
    for (const path of [
      undefined,
      '',
      'taskmill',
      '/task mill',
      '/:queue',
      '/a*',
      '/a?b',
      '//x',
      '/../x',
      '/.',
    ]) {
      const error = catchInvalidOptions(() => forRoot({ path, access: 'public' }));
      expect(error.field).toBe('path');
      expect(error.message).toContain("must be a URL path such as '/taskmill'");
    }
  });

  it('refuses a readOnly that is not a boolean, and unknown options', () => {
    expect(
      catchInvalidOptions(() => forRoot({ path: '/t', access: 'public', readOnly: 'yes' })).field,
    ).toBe('readOnly');
    expect(
      catchInvalidOptions(() => forRoot({ path: '/t', access: 'public', readonly: true })).field,
    ).toBe('options.readonly');
  });

  it('accepts a guard, public, and a trailing slash', () => {
    expect(forRoot({ path: '/admin/taskmill/', access: SwitchGuard }).controllers).toHaveLength(4);
    expect(forRoot({ path: '/', access: 'public', readOnly: true }).controllers).toHaveLength(4);
  });

  it('fails startup with DashboardNeedsHttpError in an app without an HTTP server', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        testQueueModule({ worker: { enabled: false } }),
        TaskmillDashboardModule.forRoot({ path: '/taskmill', access: 'public' }),
      ],
    }).compile();
    const init = moduleRef.init();
    await expect(init).rejects.toBeInstanceOf(DashboardNeedsHttpError);
    await expect(init).rejects.toThrow('install @nestjs/platform-express or');
    await moduleRef.close();
  });
});
