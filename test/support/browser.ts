/// <reference lib="dom" />
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { control, DashboardApp, SwitchGuard } from './dashboard-app';

/** Debian's chromium (installed by .ci/run), headless; root in a container needs no sandbox. */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage'],
    headless: true,
  });
}

/** Opens `url` and waits until the dashboard's script has rendered the page. */
export async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-ready="true"]');
}

/** Accepts the next confirm() dialog, returning its question. */
export function acceptNextDialog(page: Page): Promise<string> {
  return new Promise((resolve) => {
    page.once('dialog', (dialog) => {
      const question = dialog.message();
      void dialog.accept().then(() => resolve(question));
    });
  });
}

/**
 * Clicks `selector`, found and clicked in one evaluation: a live refresh may replace the
 * element between a lookup and a click made apart.
 */
export async function clickNow(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(selector);
  await page.$eval(selector, (element) => (element as HTMLElement).click());
}

/** Clicks `selector` and accepts the confirmation it asks for, returning its question. */
export async function clickConfirmed(page: Page, selector: string): Promise<string> {
  const question = acceptNextDialog(page);
  await clickNow(page, selector);
  return question;
}

/** The text of the element `selector` (waiting for it). */
export async function textOf(page: Page, selector: string): Promise<string> {
  const node = await page.waitForSelector(selector);
  return (await node?.evaluate((element) => element.textContent ?? '')) ?? '';
}

/** A dashboard app and one browser tab on it, shared by the tests of a spec file. */
export interface BrowserDashboard {
  dash: DashboardApp;
  browser: Browser;
  page: Page;
}

/**
 * Starts the app and the browser once for the spec file (filled in before its first test),
 * closes both after it, and opens the access guard and sets the tasks failing before each test.
 */
export function dashboardInBrowser(start: () => Promise<DashboardApp>): BrowserDashboard {
  const shared = {} as BrowserDashboard;
  beforeAll(async () => {
    shared.dash = await start();
    shared.browser = await launchBrowser();
    shared.page = await shared.browser.newPage();
    await shared.page.setViewport({ width: 1280, height: 860 });
  });
  afterAll(async () => {
    await shared.browser?.close();
    control.release();
    await shared.dash?.close();
  });
  beforeEach(() => {
    SwitchGuard.open = true;
    control.failing = true;
  });
  return shared;
}
