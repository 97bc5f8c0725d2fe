import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Observable } from 'rxjs';

/**
 * Scripts and styles from the dashboard's own files only, nothing inline, no frames, no
 * forms, fetches to this origin: even if task data reached the page as markup, it could not
 * run. The pages are per-session (a token), so nothing is cached.
 */
const HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** Sets the security headers on every dashboard response, on Express and Fastify alike. */
@Injectable()
export class SecurityHeadersInterceptor implements NestInterceptor {
  constructor(private readonly host: HttpAdapterHost) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response: unknown = context.switchToHttp().getResponse();
    for (const [name, value] of Object.entries(HEADERS)) {
      this.host.httpAdapter.setHeader(response, name, value);
    }
    return next.handle();
  }
}
