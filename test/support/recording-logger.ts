import { LoggerService, LogLevel } from '@nestjs/common';

export interface LogLine {
  level: LogLevel;
  /** The Nest Logger's context, e.g. `taskmill:Worker`. */
  context: string | undefined;
  message: string;
  /** What came with the message besides the context: a stack for errors. */
  extra: unknown[];
}

/**
 * A Nest LoggerService that keeps every line it is given, for tests that read the logs an app
 * writes (pass it to `Test.createTestingModule(...).setLogger()` or `app.useLogger()`).
 */
export class RecordingLogger implements LoggerService {
  readonly lines: LogLine[] = [];
  private readonly waiters: { match: (line: LogLine) => boolean; found: (l: LogLine) => void }[] =
    [];

  log(message: unknown, ...rest: unknown[]): void {
    this.record('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.record('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.record('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.record('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.record('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.record('fatal', message, rest);
  }

  /** The lines of one context (default taskmill's worker). */
  of(context = 'taskmill:Worker'): LogLine[] {
    return this.lines.filter((line) => line.context === context);
  }

  /** Resolves with the first line, logged already or later, that `match` accepts. */
  next(match: (line: LogLine) => boolean): Promise<LogLine> {
    const logged = this.lines.find(match);
    if (logged) return Promise.resolve(logged);
    return new Promise((found) => this.waiters.push({ match, found }));
  }

  private record(level: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context last.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const line: LogLine = { level, context, message: String(message), extra: rest };
    this.lines.push(line);
    for (const waiter of this.waiters.filter((w) => w.match(line))) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.found(line);
    }
  }
}
