import { randomBytes, timingSafeEqual } from 'crypto';
import { cookieOf, HeadersCarrier, headerOf } from './request-headers';

/** The cookie that holds the session's token, and the header every action must repeat it in. */
export const CSRF_COOKIE = 'taskmill_csrf';
export const CSRF_HEADER = 'x-taskmill-csrf';

const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** The browser's token when it has a well-formed one, else a fresh one (to be set as cookie). */
export function sessionToken(request: HeadersCarrier): { token: string; fresh: boolean } {
  const held = cookieOf(request, CSRF_COOKIE);
  if (held && TOKEN_PATTERN.test(held)) return { token: held, fresh: false };
  return { token: randomBytes(32).toString('hex'), fresh: true };
}

/**
 * The Set-Cookie value for a token: HttpOnly (scripts read the token from the page, never the
 * cookie), SameSite=Strict (another site's request does not carry it), Secure over HTTPS.
 */
export function tokenCookie(token: string, base: string, secure: boolean): string {
  const cookie = `${CSRF_COOKIE}=${token}; Path=${base || '/'}; HttpOnly; SameSite=Strict`;
  return secure ? `${cookie}; Secure` : cookie;
}

/**
 * Why an action request may be cross-site, or undefined when it passes: a browser's own
 * Sec-Fetch-Site must say same-origin, an Origin must be this host, and the header token
 * must equal the cookie's (a page of another site can read neither to copy it).
 */
export function crossSiteReason(request: HeadersCarrier): string | undefined {
  const site = headerOf(request, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') {
    return `the request came from another site (Sec-Fetch-Site: ${site})`;
  }
  const origin = headerOf(request, 'origin');
  if (origin !== undefined && hostOf(origin) !== headerOf(request, 'host')) {
    return `the request's Origin (${origin}) is not this host`;
  }
  const cookie = cookieOf(request, CSRF_COOKIE);
  const header = headerOf(request, CSRF_HEADER);
  if (!cookie || !header || !sameToken(cookie, header)) {
    return `the ${CSRF_HEADER} header does not match the session's token (reload the page)`;
  }
  return undefined;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
