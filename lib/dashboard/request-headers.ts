import { IncomingHttpHeaders } from 'http';

/** Express's request and Fastify's both carry Node's headers as `headers`. */
export interface HeadersCarrier {
  headers: IncomingHttpHeaders;
  /** Node's socket (both platforms expose it): a TLS one says `encrypted`. */
  socket?: { encrypted?: boolean };
}

/** Whether the browser reached the app over HTTPS, directly or through a TLS-ending proxy. */
export function overHttps(request: HeadersCarrier): boolean {
  return request.socket?.encrypted === true || headerOf(request, 'x-forwarded-proto') === 'https';
}

/** One header's value (the first when repeated); undefined when absent. */
export function headerOf(request: HeadersCarrier, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** One cookie's value, read from the Cookie header (no cookie parser needed on either platform). */
export function cookieOf(request: HeadersCarrier, name: string): string | undefined {
  for (const part of (headerOf(request, 'cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
