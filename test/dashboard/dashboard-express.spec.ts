/// <reference lib="dom" />
import { mkdtempSync, rmSync } from 'fs';
import { createServer, Server } from 'http';
import { tmpdir } from 'os';
import { join } from 'path';
import { AddressInfo } from 'net';
import { Browser, Page } from 'puppeteer-core';
import { LockService, TaskHandle, TaskStatus } from '../../lib';
import {
  clickConfirmed,
  clickNow,
  dashboardInBrowser,
  launchBrowser,
  openPage,
  textOf,
} from '../support/browser';
import { control, DashboardApp, startDashboardApp, SwitchGuard } from '../support/dashboard-app';
import { httpRequest, openSession, postAction } from '../support/dashboard-http';
import { waitFor } from '../support/redis-server-process';

/**
 * Where the pages' screenshots go: docs/images (the README's and docs' pictures) when asked for
 * with `npm run docs:images`, else a temporary directory, so that `npm test` leaves the tree
 * as it found it.
 */
const SCREENSHOTS =
  process.env.TASKMILL_DOC_IMAGES === '1'
    ? join(__dirname, '..', '..', 'docs', 'images')
    : mkdtempSync(join(tmpdir(), 'taskmill-screenshots-'));
afterAll(() => {
  if (process.env.TASKMILL_DOC_IMAGES !== '1')
    rmSync(SCREENSHOTS, { recursive: true, force: true });
});
const SCRIPT_PAYLOAD = '<script>window.__pwned = "script"</script>';
const IMG_PAYLOAD = '"><img src=x onerror="window.__pwned = \'img\'">';

describe('the dashboard on Express, in a real browser', () => {
  const shared = dashboardInBrowser(() => startDashboardApp());
  let dash: DashboardApp;
  let page: Page;
  beforeAll(() => ({ dash, page } = shared));

  /** Tasks of a name no app handles: they stay waiting in `queue`. */
  async function backlog(queue: string, count: number): Promise<TaskHandle[]> {
    return dash.queue.enqueueMany(
      Array.from({ length: count }, (_, i) => ({
        task: 'other.task',
        args: [i],
        options: { queue, priority: i % 3 },
      })),
    );
  }

  async function failTasks(count: number, message = 'boom'): Promise<TaskHandle[]> {
    const handles = await Promise.all(
      Array.from({ length: count }, () => dash.queue.enqueue('dash.fail', [message])),
    );
    await dash.queue.allSettled(handles, { timeout: 20_000 });
    return handles;
  }

  const pageText = () => page.evaluate(() => document.querySelector('main')?.innerText ?? '');
  const rowCount = (selector: string) =>
    page.evaluate((s) => document.querySelectorAll(s).length, selector);

  async function toast(): Promise<string> {
    await page.waitForSelector('#toast.ok, #toast.error');
    return textOf(page, '#toast');
  }

  async function clearToast(): Promise<void> {
    await page.evaluate(() => {
      const box = document.getElementById('toast');
      if (box) box.className = '';
    });
  }

  it('shows every queue with its counts, paused flag and throughput chart, and updates live', async () => {
    await dash.queue.allResults(
      await Promise.all([1, 2, 3].map((n) => dash.queue.enqueue('dash.echo', [n]))),
      { timeout: 20_000 },
    );
    await backlog('dash-backlog', 2);
    await dash.queue.pause('dash-backlog');
    // The chart counts the status events as they come in: wait until it saw the three runs.
    await waitFor('the chart to count the runs', async () => {
      const overview = JSON.parse((await httpRequest(`${dash.url}/api/overview`)).body);
      const main = overview.throughput.find((q: { queue: string }) => q.queue === 'dash-main');
      return main?.succeeded.reduce((a: number, b: number) => a + b, 0) === 3;
    });

    await openPage(page, dash.url);
    const row = 'tr[data-queue="dash-backlog"]';
    expect(await textOf(page, `${row} .c-waiting`)).toBe('2');
    expect(await textOf(page, `${row} .badge`)).toBe('paused');
    await page.waitForSelector('tr[data-queue="dash-main"] svg.chart rect.ok');

    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await backlog('dash-backlog', 1);
    await page.waitForFunction(
      (s) => document.querySelector(s)?.textContent === '3',
      {},
      `${row} .c-waiting`,
    );
    // The same document: the count came over the live stream, not a reload.
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(1);
    expect(await textOf(page, '#live')).toBe('live');
  });

  it('shows held tasks: a column of the overview, a line on the queue page', async () => {
    // The app's worker consumes 'dash-main' but has no handler for this name: its claim holds
    // the task (docs/flow-control.md), counted in `held` and in `waiting`.
    await dash.queue.enqueue('dash.unhosted', [], { queue: 'dash-main' });
    await waitFor(
      'the task to be held',
      async () => (await dash.queue.stats('dash-main')).held === 1,
    );
    await openPage(page, dash.url);
    const row = 'tr[data-queue="dash-main"]';
    expect(await textOf(page, `${row} .c-held`)).toBe('1');
    expect(await textOf(page, `${row} .c-waiting`)).toBe('1');
    expect(await textOf(page, 'tr[data-queue="dash-backlog"] .c-held')).toBe('0');
    await openPage(page, `${dash.url}/queue?name=dash-main`);
    expect(await textOf(page, 'p.c-held')).toContain('1 of the waiting tasks are held');
    // The queue as the other tests expect it: drain takes held tasks too.
    expect(await dash.queue.drain('dash-main')).toBe(1);
  });

  it('pages through a queue by state and finds a task by id', async () => {
    const handles = await backlog('dash-page', 120);
    await openPage(page, `${dash.url}/queue?name=dash-page`);
    const first = await dash.queue.list('dash-page', 'waiting', { offset: 0, limit: 50 });
    const ids = () =>
      page.$$eval('table.tasks tbody tr', (rows) => rows.map((r) => r.getAttribute('data-id')));
    expect(await ids()).toEqual(first.map((t) => t.id));
    expect(await textOf(page, 'a[data-state="waiting"]')).toBe('waiting (120)');
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-queue.png` });

    await Promise.all([page.waitForNavigation(), clickNow(page, '.pager a:last-child')]);
    await page.waitForSelector('body[data-ready="true"]');
    const second = await dash.queue.list('dash-page', 'waiting', { offset: 50, limit: 50 });
    expect(await ids()).toEqual(second.map((t) => t.id));
    await Promise.all([page.waitForNavigation(), clickNow(page, '.pager a:last-child')]);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await rowCount('table.tasks tbody tr')).toBe(20);

    const wanted = handles[77].id;
    await page.type('form.search input', wanted);
    await Promise.all([page.waitForNavigation(), page.click('form.search button')]);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await textOf(page, 'h1 .mono')).toBe(wanted);
    expect(await textOf(page, '#task-status')).toBe('submitted');
  });

  it("shows a task's arguments, metadata, live progress, result and history", async () => {
    const handle = await dash.queue.enqueue('dash.slow', ['step-1'], {
      metadata: { tenant: 'acme' },
    });
    await waitFor('the task to start', async () => control.started.includes(handle.id));
    await openPage(page, `${dash.url}/task?id=${handle.id}`);
    await page.waitForFunction(() =>
      document.getElementById('task-progress')?.textContent?.includes('"percent":10'),
    );
    const text = await pageText();
    expect(text).toContain('"step-1"');
    expect(text).toContain('"tenant": "acme"');
    expect(await textOf(page, '#task-status')).toBe('running');

    control.release();
    await page.waitForFunction(
      () => document.getElementById('task-status')?.textContent === 'succeeded',
    );
    expect(await pageText()).toContain('"done"');
    const history = await page.$$eval('ol.timeline li .badge', (items) =>
      items.map((item) => item.textContent),
    );
    expect(history).toEqual(['submitted', 'running', 'succeeded']);
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-task.png`, fullPage: true });
  });

  it("links a chain's steps to each other on their task pages", async () => {
    const chain = await dash.queue.chain([
      { task: 'other.first', options: { queue: 'dash-chain' } },
      { task: 'other.second', options: { queue: 'dash-chain' } },
    ]);
    const [first, second] = chain.steps;
    await openPage(page, `${dash.url}/task?id=${second.id}`);
    expect(await textOf(page, 'ul.links')).toBe(`After step ${first.id}`);
    await Promise.all([page.waitForNavigation(), clickNow(page, 'ul.links a')]);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await textOf(page, 'h1 .mono')).toBe(first.id);
    expect(await textOf(page, 'ul.links')).toBe(`Next step ${second.id}`);
  });

  it('renders hostile arguments, metadata, errors and ids as text that never runs', async () => {
    const hostileId = `x"><img/src=x/onerror=window.__pwned="id">`;
    const failing = await dash.queue.enqueue('dash.fail', [`${IMG_PAYLOAD} ${SCRIPT_PAYLOAD}`], {
      id: hostileId,
      queue: 'dash-dead',
      metadata: { note: SCRIPT_PAYLOAD },
    });
    await dash.queue.allSettled([failing], { timeout: 20_000 });
    await dash.queue.enqueue('other.task', [SCRIPT_PAYLOAD, IMG_PAYLOAD], {
      queue: 'dash-hostile',
      id: '<svg/onload=window.__pwned="svg">',
    });

    const pages = [
      `${dash.url}/task?id=${encodeURIComponent(hostileId)}&queue=dash-dead`,
      `${dash.url}/dead?queue=dash-dead`,
      `${dash.url}/queue?name=dash-hostile`,
      `${dash.url}/task?id=${encodeURIComponent('<svg/onload=window.__pwned="svg">')}&queue=dash-hostile`,
    ];
    for (const url of pages) {
      await openPage(page, url);
      await page.waitForSelector('main table, main dl');
      const found = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: string }).__pwned,
        markup: document.querySelectorAll('main img, main script, [onerror], [onload]').length,
        text: document.querySelector('main')?.innerText ?? '',
      }));
      expect(found.pwned).toBeUndefined();
      expect(found.markup).toBe(0);
      expect(found.text).toMatch(/<img\/src=x\/onerror|<svg\/onload/);
    }
    await openPage(page, pages[0]);
    const text = await pageText();
    expect(text).toContain(SCRIPT_PAYLOAD); // the metadata, as text
    expect(text).toContain(IMG_PAYLOAD); // the error message and the arguments, as text
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBe(
      undefined,
    );
  });

  it('pauses, resumes and drains a queue from its page, each after a confirmation', async () => {
    const handles = await backlog('dash-act', 5);
    await openPage(page, `${dash.url}/queue?name=dash-act`);

    page.once('dialog', (dialog) => void dialog.dismiss());
    await clickNow(page, 'button[data-action="pause"]');
    expect((await dash.queue.stats('dash-act')).paused).toBe(false); // declined: nothing done

    expect(await clickConfirmed(page, 'button[data-action="pause"]')).toContain(
      'Pause queue dash-act',
    );
    expect(await toast()).toBe('Queue paused.');
    expect((await dash.queue.stats('dash-act')).paused).toBe(true);

    await clearToast();
    await clickConfirmed(page, 'button[data-action="resume"]');
    expect(await toast()).toBe('Queue resumed.');
    expect((await dash.queue.stats('dash-act')).paused).toBe(false);

    await clearToast();
    await clickConfirmed(page, 'button[data-action="drain"]');
    expect(await toast()).toBe('5 waiting or delayed task(s) cancelled.');
    expect((await dash.queue.stats('dash-act')).waiting).toBe(0);
    expect((await handles[0].status()).status).toBe(TaskStatus.CANCELLED);
  });

  it('cancels a task from its page', async () => {
    const [handle] = await backlog('dash-cancel', 1);
    await openPage(page, `${dash.url}/task?id=${handle.id}`);
    await clickConfirmed(page, 'button[data-action="cancel"]');
    expect(await toast()).toBe('Task cancelled.');
    expect((await handle.status()).status).toBe(TaskStatus.CANCELLED);
    await page.waitForFunction(
      () => document.getElementById('task-status')?.textContent === 'cancelled',
    );
  });

  it('requeues one or all dead letters, retries a failed task now, purges, and shows new failures live', async () => {
    await dash.queue.purgeDead('dash-dead');
    const [one, two, three, four] = await failTasks(4);
    await openPage(page, `${dash.url}/dead?queue=dash-dead`);
    expect(await rowCount('table.dead tbody tr')).toBe(4);
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-dead.png` });

    control.failing = false;
    await clickConfirmed(page, `tr[data-id="${one.id}"] button[data-action="requeue"]`);
    expect(await toast()).toBe('1 dead letter(s) requeued.');
    expect(await one.result({ timeout: 20_000 })).toBe('recovered');

    await clearToast();
    await clickConfirmed(page, `tr[data-id="${two.id}"] button[data-action="purge"]`);
    expect(await toast()).toBe('1 dead letter(s) deleted.');
    expect((await two.status()).status).toBe(TaskStatus.UNKNOWN);

    await openPage(page, `${dash.url}/task?id=${three.id}`);
    expect(await textOf(page, 'p.error-message')).toBe('NonRetryableError: boom');
    expect(await textOf(page, 'pre.stack')).toContain('DashboardTasks.fail');
    await clickConfirmed(page, 'button[data-action="retry"]');
    expect(await toast()).toBe('Task requeued.');
    expect(await three.result({ timeout: 20_000 })).toBe('recovered');

    await openPage(page, `${dash.url}/dead?queue=dash-dead`);
    await clickConfirmed(page, 'button[data-action="requeue-all"]');
    expect(await toast()).toBe('1 dead letter(s) requeued.');
    expect(await four.result({ timeout: 20_000 })).toBe('recovered');

    control.failing = true;
    await failTasks(2);
    await page.waitForFunction(() => document.querySelectorAll('table.dead tbody tr').length === 2);
    await clearToast();
    await clickConfirmed(page, 'button[data-action="purge-all"]');
    expect(await toast()).toBe('2 dead letter(s) deleted.');
    expect((await dash.queue.stats('dash-dead')).deadLettered).toBe(0);
  });

  it('answers an unknown task or queue with 404 and a message, and a busy queue with 409', async () => {
    const task = await httpRequest(`${dash.url}/api/task?id=nope`);
    expect(task.status).toBe(404);
    expect(JSON.parse(task.body)).toMatchObject({
      error: 'TaskNotFoundError',
      message: expect.stringContaining('No task with id "nope"'),
    });
    const queue = await httpRequest(`${dash.url}/api/queue?name=nowhere`);
    expect(queue.status).toBe(404);
    expect(JSON.parse(queue.body).message).toContain('Unknown queue "nowhere"');
    const session = await openSession(dash.url);
    const own = { cookie: session.cookie, 'x-taskmill-csrf': session.token };
    const unknown = await postAction(dash.url, 'explode', { queue: 'dash-main' }, own);
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body).message).toContain('unknown action "explode"');
    const bodyless = await postAction(dash.url, 'pause', {}, own);
    expect(bodyless.status).toBe(400);
    expect(JSON.parse(bodyless.body).message).toContain('the request body needs "queue"');
    const none = await postAction(dash.url, 'purge', { queue: 'dash-dead', ids: [] }, own);
    expect(none.status).toBe(400);
    expect(JSON.parse(none.body).message).toContain('must name at least one task');
    const cancelled = await postAction(dash.url, 'cancel', { id: 'nope' }, own);
    expect(cancelled.status).toBe(404);
    const state = await httpRequest(`${dash.url}/api/queue?name=dash-main&state=lost`);
    expect(state.status).toBe(400);
    expect(JSON.parse(state.body).message).toContain('must be one of waiting, delayed');

    await openPage(page, `${dash.url}/task?id=nope`);
    expect(await textOf(page, 'p.error')).toContain('No task with id "nope"');

    const slow = await dash.queue.enqueue('dash.slow', ['busy']);
    await waitFor('the task to start', async () => control.started.includes(slow.id));
    await openPage(page, `${dash.url}/queue?name=dash-slow`);
    await clickConfirmed(page, 'button[data-action="obliterate"]');
    expect(await toast()).toContain('has 1 running task(s)');
    const refused = await postAction(dash.url, 'obliterate', { queue: 'dash-slow' }, own);
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.body).error).toBe('QueueBusyError');
    control.release();
    await slow.result({ timeout: 20_000 });
  });

  it('refuses actions without the session token, with a foreign Origin, or from another site', async () => {
    await backlog('dash-csrf', 1);
    const session = await openSession(dash.url);
    const own = { cookie: session.cookie, 'x-taskmill-csrf': session.token };
    const other = await openSession(dash.url);
    const refusals: Record<string, string>[] = [
      {},
      { cookie: session.cookie },
      { 'x-taskmill-csrf': session.token },
      { cookie: session.cookie, 'x-taskmill-csrf': other.token },
      { ...own, origin: 'http://evil.example' },
      { ...own, origin: 'null' },
      { ...own, 'sec-fetch-site': 'cross-site' },
      { ...own, 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of refusals) {
      const answer = await postAction(dash.url, 'pause', { queue: 'dash-csrf' }, headers);
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).error).toBe('CrossSiteRequest');
    }
    expect((await dash.queue.stats('dash-csrf')).paused).toBe(false);

    // A real cross-site attempt: a page of another origin posts with the browser's cookies.
    const foreign = await foreignSite();
    try {
      await page.goto(`${dash.url}`); // the browser holds a dashboard cookie
      await page.goto(foreign.url);
      const status = await page.evaluate(
        (target) =>
          fetch(target, {
            method: 'POST',
            mode: 'no-cors',
            credentials: 'include',
            headers: { 'content-type': 'text/plain' },
            body: JSON.stringify({ queue: 'dash-csrf' }),
          }).then((r) => r.type),
        `${dash.url}/api/actions/pause`,
      );
      expect(status).toBe('opaque');
      expect((await dash.queue.stats('dash-csrf')).paused).toBe(false);
    } finally {
      foreign.server.close();
    }

    const allowed = await postAction(
      dash.url,
      'pause',
      { queue: 'dash-csrf' },
      {
        ...own,
        origin: dash.origin,
        'sec-fetch-site': 'same-origin',
      },
    );
    expect(allowed.status).toBe(200);
    expect((await dash.queue.stats('dash-csrf')).paused).toBe(true);
  });

  it('denies every route, the live stream and the assets included, when the access guard says no', async () => {
    const session = await openSession(dash.url);
    const open = await httpRequest(`${dash.url}/api/events`);
    expect(open.status).toBe(200);
    expect(open.headers['content-type']).toContain('text/event-stream');

    SwitchGuard.open = false;
    const routes = [
      '',
      '/queue?name=dash-main',
      '/task?id=x',
      '/dead?queue=dash-main',
      '/schedules',
      '/locks',
      '/assets/dashboard.js',
      '/assets/dashboard.css',
      '/api/overview',
      '/api/queue?name=dash-main',
      '/api/task?id=x',
      '/api/dead?queue=dash-main',
      '/api/schedules',
      '/api/events',
    ];
    for (const route of routes) {
      const answer = await httpRequest(`${dash.url}${route}`, {
        headers: { cookie: session.cookie },
      });
      expect({ route, status: answer.status }).toEqual({ route, status: 403 });
      expect(answer.body).not.toContain('taskmill-csrf');
    }
    const action = await postAction(
      dash.url,
      'pause',
      { queue: 'dash-main' },
      {
        cookie: session.cookie,
        'x-taskmill-csrf': session.token,
      },
    );
    expect(action.status).toBe(403);
    expect((await dash.queue.stats('dash-main')).paused).toBe(false);
  });

  it('lists schedules with their next tick, lists the locks held, and looks up a lock by name', async () => {
    const info = await dash.queue.schedule('dash.echo', { every: 3_600_000, args: ['hourly'] });
    await openPage(page, `${dash.url}/schedules`);
    const row = `tr[data-id="${info.id}"]`;
    expect(await textOf(page, `${row} .next-tick`)).toBe(
      info.nextRunAt.toISOString().replace('T', ' ').slice(0, 19),
    );
    expect(await textOf(page, row)).toContain('["hourly"]');
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-schedules.png` });
    const lock = await dash.app.get(LockService).acquire('dash-report', { owner: 'ops' });
    try {
      await openPage(page, `${dash.url}/locks`);
      expect(await textOf(page, '.locks-total')).toBe('1 held');
      expect(await textOf(page, 'tr[data-lock="dash-report"] .lock-holder')).toBe(lock?.holder);
      await page.screenshot({ path: `${SCREENSHOTS}/dashboard-locks.png` });
      await page.type('form.search input', 'dash-report');
      await page.click('form.search button');
      expect(await textOf(page, '.lock-found')).toBe(lock?.holder);
      await page.$eval('form.search input', (input) => ((input as HTMLInputElement).value = ''));
      await page.type('form.search input', 'nobody-holds-this');
      await page.click('form.search button');
      expect(await textOf(page, '.lock-free')).toBe('No one holds the lock "nobody-holds-this".');
    } finally {
      if (lock) await dash.app.get(LockService).release(lock);
    }
    // The overview once every test above left its queues: the picture in docs/guide.md and docs/dashboard.md.
    await openPage(page, dash.url);
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-overview.png` });
  });
});

describe('a read-only dashboard', () => {
  let dash: DashboardApp;
  let browser: Browser;

  beforeAll(async () => {
    dash = await startDashboardApp({ readOnly: true, access: 'public' }, undefined, []);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
  });

  it('shows no action and refuses each with 403 and a clear message', async () => {
    await dash.queue.enqueue('other.task', [], { queue: 'ro-queue' });
    const page = await browser.newPage();
    await openPage(page, `${dash.url}/queue?name=ro-queue`);
    expect(await page.$$('button[data-action]')).toHaveLength(0);
    const answer = await page.evaluate(async (url) => {
      const token = document.querySelector('meta[name="taskmill-csrf"]')?.getAttribute('content');
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-taskmill-csrf': token ?? '' },
        body: JSON.stringify({ queue: 'ro-queue' }),
      });
      return { status: response.status, body: await response.json() };
    }, `${dash.url}/api/actions/pause`);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({
      error: 'ReadOnly',
      message: expect.stringContaining('read-only'),
    });
    expect((await dash.queue.stats('ro-queue')).paused).toBe(false);
  });
});

/** A page of another origin (another port), to post from. */
async function foreignSite(): Promise<{ server: Server; url: string }> {
  const server = createServer((_, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}/` };
}
