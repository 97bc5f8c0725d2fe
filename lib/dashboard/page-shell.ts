import { DashboardSettings } from './dashboard.options';

/** The pages; each is the same shell, which dashboard.js fills from the JSON API. */
export const PAGES = ['overview', 'queue', 'task', 'dead', 'schedules', 'locks'] as const;
export type PageName = (typeof PAGES)[number];

export function isPage(name: string): name is PageName {
  return (PAGES as readonly string[]).includes(name);
}

const TITLES: Record<PageName, string> = {
  overview: 'Queues',
  queue: 'Queue',
  task: 'Task',
  dead: 'Dead letters',
  schedules: 'Schedules',
  locks: 'Locks',
};

/**
 * The HTML of a page. Nothing from task data goes in here: only the base path (validated to
 * plain segments), the session's token (hex) and fixed words. The script reads the page's
 * parameters from the URL and renders them as text.
 */
export function pageShell(page: PageName, settings: DashboardSettings, token: string): string {
  const base = settings.base;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="taskmill-base" content="${base}">
<meta name="taskmill-csrf" content="${token}">
<meta name="taskmill-read-only" content="${settings.readOnly}">
<title>taskmill · ${TITLES[page]}</title>
<link rel="stylesheet" href="${base}/assets/dashboard.css">
<script src="${base}/assets/dashboard.js" defer></script>
</head>
<body data-page="${page}">
<header>
<a class="brand" href="${base || '/'}">taskmill</a>
<nav>
<a href="${base || '/'}">Queues</a>
<a href="${base}/schedules">Schedules</a>
<a href="${base}/locks">Locks</a>
</nav>
<span id="live" class="live" title="live updates">connecting…</span>
</header>
<main id="main"><p class="muted">Loading…</p></main>
<div id="toast" role="status" aria-live="polite"></div>
</body>
</html>
`;
}
