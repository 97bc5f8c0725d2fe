import { IncomingHttpHeaders } from 'http';
import {
  CSRF_COOKIE,
  CSRF_HEADER,
  crossSiteReason,
  sessionToken,
  tokenCookie,
} from '../../lib/dashboard/csrf';
import { overHttps } from '../../lib/dashboard/request-headers';

const TOKEN = 'ab'.repeat(32);
const request = (headers: IncomingHttpHeaders, encrypted = false) => ({
  headers,
  socket: { encrypted },
});
const own = { host: 'ops.example:8080', cookie: `other=1; ${CSRF_COOKIE}=${TOKEN}` };

describe('the cross-site rule for dashboard actions', () => {
  it('keeps a well-formed session token and mints a fresh one otherwise', () => {
    expect(sessionToken(request({ cookie: `${CSRF_COOKIE}=${TOKEN}` }))).toEqual({
      token: TOKEN,
      fresh: false,
    });
    for (const cookie of [undefined, `${CSRF_COOKIE}=short`, `${CSRF_COOKIE}=${'zz'.repeat(32)}`]) {
      const minted = sessionToken(request({ cookie }));
      expect(minted.fresh).toBe(true);
      expect(minted.token).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(sessionToken(request({})).token).not.toBe(sessionToken(request({})).token);
  });

  it('sets the cookie HttpOnly and SameSite=Strict on the path, and Secure over HTTPS', () => {
    expect(tokenCookie(TOKEN, '/taskmill', false)).toBe(
      `${CSRF_COOKIE}=${TOKEN}; Path=/taskmill; HttpOnly; SameSite=Strict`,
    );
    expect(tokenCookie(TOKEN, '', true)).toBe(
      `${CSRF_COOKIE}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict; Secure`,
    );
    expect(overHttps(request({}, true))).toBe(true);
    expect(overHttps(request({ 'x-forwarded-proto': 'https' }))).toBe(true);
    expect(overHttps(request({ 'x-forwarded-proto': 'http' }))).toBe(false);
  });

  it('passes the header token of the same site, with or without Origin and Sec-Fetch-Site', () => {
    const token = { [CSRF_HEADER]: TOKEN };
    expect(crossSiteReason(request({ ...own, ...token }))).toBeUndefined();
    expect(
      crossSiteReason(
        request({
          ...own,
          ...token,
          origin: 'https://ops.example:8080',
          'sec-fetch-site': 'same-origin',
        }),
      ),
    ).toBeUndefined();
  });

  it('names why a request may be cross-site', () => {
    const token = { [CSRF_HEADER]: TOKEN };
    expect(crossSiteReason(request({ ...own, ...token, 'sec-fetch-site': 'cross-site' }))).toBe(
      'the request came from another site (Sec-Fetch-Site: cross-site)',
    );
    expect(crossSiteReason(request({ ...own, ...token, origin: 'https://evil.example' }))).toBe(
      "the request's Origin (https://evil.example) is not this host",
    );
    expect(crossSiteReason(request({ ...own, ...token, origin: 'https://ops.example' }))).toContain(
      'is not this host',
    );
    const mismatch = `the ${CSRF_HEADER} header does not match the session's token (reload the page)`;
    expect(crossSiteReason(request(own))).toBe(mismatch);
    expect(crossSiteReason(request({ ...own, [CSRF_HEADER]: 'cd'.repeat(32) }))).toBe(mismatch);
    expect(crossSiteReason(request({ host: own.host, ...token }))).toBe(mismatch);
  });
});
