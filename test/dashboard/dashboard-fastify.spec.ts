/// <reference lib="dom" />
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Page } from 'puppeteer-core';
import { TaskStatus } from '../../lib';
import { clickConfirmed, dashboardInBrowser, openPage, textOf } from '../support/browser';
import { DashboardApp, startDashboardApp, SwitchGuard } from '../support/dashboard-app';
import { httpRequest, openSession, postAction } from '../support/dashboard-http';

const HOSTILE = '<script>window.__pwned = 1</script>"><img src=x onerror="window.__pwned = 2">';

/** The same routes as on Express, in a smaller pass: Fastify's request and reply differ. */
describe('the dashboard on Fastify, in a real browser', () => {
  const shared = dashboardInBrowser(() =>
    startDashboardApp({ path: '/ops/taskmill' }, new FastifyAdapter()),
  );
  let dash: DashboardApp;
  let page: Page;
  beforeAll(() => ({ dash, page } = shared));

  it('serves the pages with their security headers and the JSON API', async () => {
    const overview = await httpRequest(dash.url);
    expect(overview.status).toBe(200);
    expect(overview.headers['content-type']).toContain('text/html');
    expect(overview.headers['content-security-policy']).toContain("script-src 'self'");
    expect(String(overview.headers['set-cookie'])).toContain('SameSite=Strict');
    const script = await httpRequest(`${dash.url}/assets/dashboard.js`);
    expect(script.headers['content-type']).toContain('text/javascript');
    const missing = await httpRequest(`${dash.url}/api/task?id=nope`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error).toBe('TaskNotFoundError');
  });

  it('lists a queue live, shows a hostile task as text, and pauses the queue after a confirmation', async () => {
    const handle = await dash.queue.enqueue('other.task', [HOSTILE], {
      queue: 'fy-queue',
      metadata: { note: HOSTILE },
    });
    await openPage(page, `${dash.url}/queue?name=fy-queue`);
    expect(await page.$$eval('table.tasks tbody tr', (rows) => rows.length)).toBe(1);
    const next = await dash.queue.enqueue('other.task', [], { queue: 'fy-queue' });
    await page.waitForSelector(`tr[data-id="${next.id}"]`); // arrived over the live stream

    await clickConfirmed(page, 'button[data-action="pause"]');
    await page.waitForSelector('#toast.ok');
    expect((await dash.queue.stats('fy-queue')).paused).toBe(true);

    await openPage(page, `${dash.url}/task?id=${handle.id}`);
    const found = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      markup: document.querySelectorAll('main img, main script').length,
      text: document.querySelector('main')?.innerText ?? '',
    }));
    expect(found.pwned).toBeUndefined();
    expect(found.markup).toBe(0);
    // Shown as JSON text: the quotes escaped, the markup as it was written.
    expect(found.text).toContain('<script>window.__pwned = 1</script>');
    expect(found.text).toContain('<img src=x onerror=');

    await clickConfirmed(page, 'button[data-action="cancel"]');
    await page.waitForFunction(
      () => document.getElementById('task-status')?.textContent === 'cancelled',
    );
    expect((await handle.status()).status).toBe(TaskStatus.CANCELLED);
    expect(await textOf(page, '#live')).toBe('live');
  });

  it('refuses a cross-site action, and denies every route when the access guard says no', async () => {
    const session = await openSession(dash.url);
    const own = { cookie: session.cookie, 'x-taskmill-csrf': session.token };
    const foreign = await postAction(
      dash.url,
      'resume',
      { queue: 'fy-queue' },
      {
        ...own,
        origin: 'http://evil.example',
      },
    );
    expect(foreign.status).toBe(403);
    const tokenless = await postAction(
      dash.url,
      'resume',
      { queue: 'fy-queue' },
      {
        cookie: session.cookie,
      },
    );
    expect(tokenless.status).toBe(403);
    expect((await dash.queue.stats('fy-queue')).paused).toBe(true);

    SwitchGuard.open = false;
    for (const route of [
      '',
      '/task?id=x',
      '/assets/dashboard.css',
      '/api/overview',
      '/api/events',
    ]) {
      const answer = await httpRequest(`${dash.url}${route}`);
      expect({ route, status: answer.status }).toEqual({ route, status: 403 });
    }
    const action = await postAction(dash.url, 'resume', { queue: 'fy-queue' }, own);
    expect(action.status).toBe(403);
    expect((await dash.queue.stats('fy-queue')).paused).toBe(true);

    SwitchGuard.open = true;
    const allowed = await postAction(dash.url, 'resume', { queue: 'fy-queue' }, own);
    expect(allowed.status).toBe(200);
    expect((await dash.queue.stats('fy-queue')).paused).toBe(false);
  });
});
