import {
  ArgumentsHost,
  CallHandler,
  CanActivate,
  Catch,
  ExceptionFilter,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  ParseIntPipe,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  Scope,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { catchError, map, Observable } from 'rxjs';
import { NonRetryableError, Task, TASK_REF, TaskContext, taskContext } from '../../lib';
import { failureOf } from '../support/failures';
import { Ledger } from '../support/ledger';
import { createTestApp, TestApp } from '../support/test-app';

/** What the enhancers and handlers saw, in order. */
const seen = new Ledger<string>();

/** Lets a task through when its first argument is not 'deny'; records what it was shown. */
@Injectable()
class DenyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const [args, ctx] = [
      context.getArgByIndex<unknown[]>(0),
      context.getArgByIndex<TaskContext>(1),
    ];
    seen.add(`guard|${context.getType()}|${JSON.stringify(args)}|${ctx.id}|${ctx.attempt}`);
    return args[0] !== 'deny';
  }
}

/** Throws on a task's first attempt: an enhancer that breaks. */
@Injectable()
class FirstAttemptBreaks implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getArgByIndex<TaskContext>(1).attempt === 1) throw new Error('guard broke');
    return true;
  }
}

function wrapping(label: string): NestInterceptor {
  return {
    intercept: (_context: ExecutionContext, next: CallHandler): Observable<unknown> =>
      next.handle().pipe(map((value) => `${label}(${String(value)})`)),
  };
}

/** Turns any error into a NonRetryableError that names it. */
class FinalErrors implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: Error) => {
        throw new NonRetryableError(`mapped: ${error.message}`);
      }),
    );
  }
}

/** Answers a RangeError with a result. */
@Catch(RangeError)
class RecoverRange implements ExceptionFilter {
  catch(error: RangeError, host: ArgumentsHost): unknown {
    seen.add(`filter|${host.getType()}`);
    return `recovered from ${error.message}`;
  }
}

class Rewrapped extends Error {
  override name = 'Rewrapped';
}

/** Rethrows every error as another one. */
@Catch()
class Rewrap implements ExceptionFilter {
  catch(error: Error): never {
    throw new Rewrapped(`rewrapped ${error.message}`);
  }
}

@Injectable()
@UseInterceptors(wrapping('class'))
class Jobs {
  @Task({ name: 'enh.guarded', retries: 3 })
  @UseGuards(DenyGuard)
  guarded(word: string): string {
    seen.add(`handler|${word}`);
    return word;
  }

  @Task({ name: 'enh.wrapped' })
  @UseInterceptors(wrapping('method'))
  wrapped(value: string): string {
    return value;
  }

  @Task({ name: 'enh.rest' })
  rest(...parts: string[]): string {
    return parts.join('-');
  }

  @Task({ name: 'enh.error-mapped', retries: 3 })
  @UseInterceptors(FinalErrors)
  errorMapped(): never {
    seen.add(`error-mapped|${taskContext().attempt}`);
    throw new Error('original');
  }

  @Task({ name: 'enh.recovered' })
  @UseFilters(RecoverRange)
  recovered(): never {
    throw new RangeError('out of range');
  }

  @Task({ name: 'enh.rethrown', retries: 0 })
  @UseFilters(Rewrap)
  rethrown(): never {
    throw new Error('inner');
  }

  @Task({ name: 'enh.piped', retries: 0 })
  @UsePipes(ParseIntPipe)
  piped(a: number, b: number): number {
    return a + b;
  }

  @Task({ name: 'enh.breaking-guard', retries: 2, backoff: 0 })
  @UseGuards(FirstAttemptBreaks)
  breakingGuard(): string {
    return `ran attempt ${taskContext().attempt}`;
  }
}

/** A request-scoped global interceptor: built for each run, it knows the run. */
@Injectable({ scope: Scope.REQUEST })
class AttemptTag implements NestInterceptor {
  constructor(@Inject(TASK_REF) private readonly run: TaskContext) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value) => `${String(value)}#${this.run.attempt}`));
  }
}

/** No enhancer of its own: only the app's global ones apply. */
@Injectable()
class PlainJobs {
  @Task({ name: 'enh.plain' })
  plain(): string {
    return 'plain';
  }
}

describe('Nest enhancers on tasks', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp([Jobs, DenyGuard, FirstAttemptBreaks])));
  afterAll(() => t.close());

  it('runs a task its guard allows, showing it the arguments and the task context', async () => {
    const handle = await t.queue.enqueue('enh.guarded', ['hello']);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('class(hello)');
    expect(seen.entries).toContain(`guard|taskmill|["hello"]|${handle.id}|1`);
  });

  it('fails a task its guard refuses with TaskForbiddenError, at once and without retries', async () => {
    const handle = await t.queue.enqueue('enh.guarded', ['deny']);
    const failure = await failureOf(handle);
    expect(failure.remoteName).toBe('TaskForbiddenError');
    expect(failure.remoteMessage).toContain('enh.guarded');
    expect(failure.attempts).toBe(1);
    expect(seen.entries).not.toContain('handler|deny');
  });

  it('applies class interceptors around method ones, keeping rest parameters', async () => {
    const wrapped = await t.queue.enqueue('enh.wrapped', ['x']);
    await expect(wrapped.result({ timeout: 5000 })).resolves.toBe('class(method(x))');
    const rest = await t.queue.enqueue('enh.rest', ['a', 'b', 'c']);
    await expect(rest.result({ timeout: 5000 })).resolves.toBe('class(a-b-c)');
  });

  it('lets an interceptor map the error, which then decides the retries', async () => {
    const handle = await t.queue.enqueue('enh.error-mapped', []);
    const failure = await failureOf(handle);
    expect(failure.remoteName).toBe('NonRetryableError');
    expect(failure.remoteMessage).toBe('mapped: original');
    expect(failure.attempts).toBe(1);
  });

  it('lets an exception filter turn an error into a result, in a taskmill host', async () => {
    const handle = await t.queue.enqueue('enh.recovered', []);
    // Filters catch what leaves the interceptors, as on a controller: no class(...) around it.
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('recovered from out of range');
    expect(seen.entries).toContain('filter|taskmill');
  });

  it('fails with the error an exception filter rethrows', async () => {
    const failure = await failureOf(await t.queue.enqueue('enh.rethrown', []));
    expect(failure.remoteName).toBe('Rewrapped');
    expect(failure.remoteMessage).toBe('rewrapped inner');
  });

  it('passes each argument through the pipes, and fails a run whose argument they refuse', async () => {
    const sum = await t.queue.enqueue('enh.piped', ['20', '22']);
    await expect(sum.result({ timeout: 5000 })).resolves.toBe('class(42)');
    const refused = await failureOf(await t.queue.enqueue('enh.piped', ['20', 'many']));
    expect(refused.remoteMessage).toContain('numeric string is expected');
  });

  it('fails the attempt of an enhancer that throws, retries it, and keeps the worker running', async () => {
    const handle = await t.queue.enqueue('enh.breaking-guard', []);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('class(ran attempt 2)');
    const history = await handle.history();
    expect(history.find((entry) => entry.status === 'retrying')?.error?.message).toBe(
      'guard broke',
    );
  });
});

describe('global enhancers on tasks', () => {
  let t: TestApp;
  beforeAll(
    async () =>
      (t = await createTestApp([
        PlainJobs,
        { provide: APP_INTERCEPTOR, useValue: wrapping('global') },
        { provide: APP_INTERCEPTOR, scope: Scope.REQUEST, useClass: AttemptTag },
      ])),
  );
  afterAll(() => t.close());

  it('applies app-wide interceptors, request-scoped ones included, to a handler that declares none', async () => {
    const handle = await t.queue.enqueue('enh.plain', []);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('global(plain#1)');
  });
});
