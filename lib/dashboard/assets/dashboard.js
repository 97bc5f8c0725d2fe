/* global document, window, fetch, EventSource, location, URLSearchParams, setTimeout */
// taskmill dashboard: renders the pages from the JSON API and refreshes them on live changes.
// Everything that comes from task data is put in the page as text (textContent, text nodes,
// attribute values): never as markup. No dependency, no build step.
'use strict';

(function () {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`).getAttribute('content');
  const BASE = meta('taskmill-base');
  const TOKEN = meta('taskmill-csrf');
  const READ_ONLY = meta('taskmill-read-only') === 'true';
  const STATES = ['waiting', 'delayed', 'running', 'dead'];
  const SVG = 'http://www.w3.org/2000/svg';
  const params = new URLSearchParams(location.search);
  const main = document.getElementById('main');

  // ---- DOM building (text only) ----

  function el(tag, props, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = String(value);
      else if (key === 'onclick') node.addEventListener('click', value);
      else if (key === 'onsubmit') node.addEventListener('submit', value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children || []) {
      if (child === undefined || child === null || child === false) continue;
      node.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function href(page, query) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
    }
    const text = search.toString();
    return `${BASE}${page ? '/' + page : ''}${text ? '?' + text : ''}` || '/';
  }

  const link = (page, query, text, props) =>
    el('a', Object.assign({ href: href(page, query) }, props), [text]);
  const taskLink = (id, queue) => link('task', { id, queue }, id, { class: 'mono' });

  function table(headers, rows, props) {
    return el('table', props, [
      el('thead', {}, [
        el(
          'tr',
          {},
          headers.map((h) => el('th', { text: h })),
        ),
      ]),
      el('tbody', {}, rows),
    ]);
  }

  function pre(value) {
    const text = value === undefined ? '(none)' : JSON.stringify(value, null, 2);
    return el('pre', { class: 'json' }, [text === undefined ? String(value) : text]);
  }

  const when = (ms) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '—');

  function age(ms) {
    if (!ms) return '—';
    let s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    s %= 60;
    if (m < 60) return `${m}m ${s}s`;
    const h = Math.floor(m / 60);
    return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
  }

  const badge = (status, props) =>
    el('span', Object.assign({ class: `badge s-${status}`, text: status }, props));

  function show(...nodes) {
    main.replaceChildren(...nodes);
  }

  function section(id) {
    return el('section', { id });
  }

  function toast(text, ok) {
    const box = document.getElementById('toast');
    box.textContent = text;
    box.className = ok ? 'ok' : 'error';
  }

  // ---- Talking to the server ----

  async function api(path, query) {
    const response = await fetch(`${href('api/' + path, query)}`, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.message || `HTTP ${response.status}`);
    return body;
  }

  /** An action: confirmed first, POSTed with the session's token, answered with a toast. */
  async function act(name, body, question, after) {
    if (!window.confirm(question)) return;
    try {
      const response = await fetch(href('api/actions/' + name), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-taskmill-csrf': TOKEN },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(answer.message || `HTTP ${response.status}`);
      toast(answer.message, true);
    } catch (error) {
      toast(error.message, false);
    }
    if (after) after();
  }

  function actionButton(action, label, onClick, danger) {
    if (READ_ONLY) return null;
    return el(
      'button',
      { type: 'button', 'data-action': action, class: danger ? 'danger' : '', onclick: onClick },
      [label],
    );
  }

  /**
   * Calls `refresh` soon after live changes that `matters` selects, at most once at a time; and
   * each time the stream (re)connects, for what changed between the page's read and then.
   */
  function follow(queue, matters, refresh) {
    const indicator = document.getElementById('live');
    const source = new EventSource(href('api/events', { queue }));
    let pending = false;
    const soon = () => {
      if (pending) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        refresh();
      }, 300);
    };
    source.addEventListener('open', () => {
      indicator.textContent = 'live';
      indicator.className = 'live on';
      soon();
    });
    source.addEventListener('error', () => {
      indicator.textContent = 'reconnecting…';
      indicator.className = 'live off';
    });
    source.addEventListener('changes', (event) => {
      if (JSON.parse(event.data).some(matters)) soon();
    });
  }

  function failed(where, error) {
    where.replaceChildren(el('p', { class: 'error', role: 'alert', text: error.message }));
  }

  /** The JSON at api/`path`; undefined once its error is shown in `where` (and `cleared` emptied). */
  async function load(path, query, where, ...cleared) {
    try {
      return await api(path, query);
    } catch (error) {
      failed(where, error);
      for (const node of cleared) node.replaceChildren();
      return undefined;
    }
  }

  // ---- Overview ----

  function chart(series) {
    const width = 150;
    const height = 32;
    const bar = width / series.succeeded.length;
    const top = Math.max(1, ...series.succeeded.map((ok, i) => ok + series.failed[i]));
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.setAttribute('class', 'chart');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = 'runs per minute, last 15 minutes (green: succeeded, red: failed)';
    svg.append(title);
    const axis = document.createElementNS(SVG, 'rect');
    for (const [name, value] of [
      ['x', 0],
      ['y', height - 1],
      ['width', width],
      ['height', 1],
      ['class', 'axis'],
    ]) {
      axis.setAttribute(name, String(value));
    }
    svg.append(axis);
    series.succeeded.forEach((ok, i) => {
      const ko = series.failed[i];
      const okHeight = (ok / top) * height;
      const koHeight = (ko / top) * height;
      for (const [h, y, cls] of [
        [okHeight, height - okHeight, 'ok'],
        [koHeight, height - okHeight - koHeight, 'ko'],
      ]) {
        if (h <= 0) continue;
        const rect = document.createElementNS(SVG, 'rect');
        rect.setAttribute('x', String(i * bar + 1));
        rect.setAttribute('y', String(y));
        rect.setAttribute('width', String(Math.max(1, bar - 2)));
        rect.setAttribute('height', String(h));
        rect.setAttribute('class', cls);
        svg.append(rect);
      }
    });
    return svg;
  }

  function rates(series) {
    const ok = series.succeeded.reduce((a, b) => a + b, 0);
    const ko = series.failed.reduce((a, b) => a + b, 0);
    const perMinute = ((ok + ko) / series.succeeded.length).toFixed(1);
    const failure = ok + ko === 0 ? '—' : `${((ko / (ok + ko)) * 100).toFixed(1)}%`;
    return [perMinute, failure];
  }

  function overview() {
    const list = section('queues');
    show(el('h1', { text: 'Queues' }), list);
    const refresh = async () => {
      const data = await load('overview', {}, list);
      if (!data) return;
      const { queues, throughput } = data;
      if (queues.length === 0) {
        list.replaceChildren(el('p', { class: 'muted', text: 'No queue yet: enqueue a task.' }));
        return;
      }
      const rows = queues.map((q, i) => {
        const [perMinute, failure] = rates(throughput[i]);
        return el('tr', { 'data-queue': q.queue }, [
          el('td', {}, [link('queue', { name: q.queue }, q.queue)]),
          el('td', { class: 'num c-waiting', text: q.waiting }),
          el('td', { class: 'num c-held', text: q.held }),
          el('td', { class: 'num c-delayed', text: q.delayed }),
          el('td', { class: 'num c-running', text: q.running }),
          el('td', { class: 'num c-dead' }, [link('dead', { queue: q.queue }, q.deadLettered)]),
          el('td', {}, [q.paused ? badge('paused') : '']),
          el('td', {}, [chart(throughput[i])]),
          el('td', { class: 'num c-throughput', text: perMinute }),
          el('td', { class: 'num c-failure', text: failure }),
        ]);
      });
      const headers = [
        'Queue',
        'Waiting',
        'Held',
        'Delayed',
        'Running',
        'Dead',
        '',
        'Last 15 min',
        'Runs/min',
        'Failed',
      ];
      list.replaceChildren(table(headers, rows, { class: 'queues' }));
    };
    follow(undefined, () => true, refresh);
    return refresh();
  }

  // ---- A queue ----

  function queuePage() {
    const name = params.get('name') || '';
    const state = STATES.includes(params.get('state')) ? params.get('state') : 'waiting';
    const offset = Number(params.get('offset')) || 0;
    const head = section('queue-head');
    const tasks = section('tasks');
    const search = el(
      'form',
      {
        class: 'search',
        onsubmit: (event) => {
          event.preventDefault();
          const id = event.target.elements.id.value.trim();
          if (id) location.assign(href('task', { id, queue: name }));
        },
      },
      [
        el('input', { name: 'id', placeholder: 'Find a task by id', 'aria-label': 'task id' }),
        el('button', { type: 'submit' }, ['Find']),
      ],
    );
    show(el('h1', {}, ['Queue ', el('span', { class: 'mono', text: name })]), head, search, tasks);

    const refresh = async () => {
      const page = await load('queue', { name, state, offset }, head, tasks);
      if (!page) return;
      const { stats } = page;
      const counts = {
        waiting: stats.waiting,
        delayed: stats.delayed,
        running: stats.running,
        dead: stats.deadLettered,
      };
      const tabs = el(
        'nav',
        { class: 'tabs' },
        STATES.map((s) =>
          link('queue', { name, state: s }, `${s} (${counts[s]})`, {
            class: s === state ? 'tab current' : 'tab',
            'data-state': s,
          }),
        ),
      );
      // Held tasks are waiting ones a claim set aside (docs/flow-control.md): not a list of
      // their own, so a line under the tabs rather than a tab.
      const held =
        stats.held > 0
          ? el('p', {
              class: 'muted c-held',
              text: `${stats.held} of the waiting tasks are held: no live worker has their handler, or their task name is at its rate limit.`,
            })
          : null;
      const recent = el('p', { class: 'muted' }, [
        `Recently: ${stats.recent.succeeded} succeeded, ${stats.recent.failed} failed, ${stats.recent.cancelled} cancelled`,
        stats.recent.since ? ` since ${when(stats.recent.since)}.` : '.',
        ' ',
        link('dead', { queue: name }, 'Dead letters →'),
      ]);
      const run = (action, question) => () => act(action, { queue: name }, question, refresh);
      const actions = el('div', { class: 'actions' }, [
        stats.paused ? badge('paused') : null,
        stats.paused
          ? actionButton('resume', 'Resume', run('resume', `Resume queue ${name}?`))
          : actionButton(
              'pause',
              'Pause',
              run('pause', `Pause queue ${name}? Workers stop claiming its tasks.`),
            ),
        actionButton(
          'drain',
          'Drain',
          run('drain', `Cancel every waiting and delayed task of ${name}?`),
          true,
        ),
        actionButton(
          'obliterate',
          'Obliterate',
          run('obliterate', `Delete queue ${name} and all its tasks? This cannot be undone.`),
          true,
        ),
      ]);
      head.replaceChildren(...[tabs, held, recent, actions].filter(Boolean));
      tasks.replaceChildren(taskTable(page), pager(page, { name, state }, 'queue'));
    };
    follow(name, () => true, refresh);
    return refresh();
  }

  function taskTable(page) {
    const extra = {
      delayed: ['Due', 'dueAt'],
      running: ['Lease until', 'leaseExpiresAt'],
      dead: ['Failed', 'failedAt'],
    }[page.state];
    if (page.tasks.length === 0) return el('p', { class: 'muted', text: `No ${page.state} task.` });
    const rows = page.tasks.map((t) =>
      el('tr', { 'data-id': t.id }, [
        el('td', {}, [taskLink(t.id, t.queue)]),
        el('td', { text: t.task }),
        el('td', {}, [badge(t.status)]),
        el('td', { class: 'num', text: t.priority }),
        el('td', { class: 'num', text: t.attempt }),
        el('td', { class: 'num', text: age(t.enqueuedAt) }),
        extra ? el('td', { text: when(t[extra[1]]) }) : null,
      ]),
    );
    const headers = ['ID', 'Task', 'Status', 'Priority', 'Attempts', 'Age'];
    if (extra) headers.push(extra[0]);
    return table(headers, rows, { class: 'tasks' });
  }

  function pager(page, query, where) {
    const count = (page.tasks || page.letters || page.locks).length;
    return el('nav', { class: 'pager' }, [
      page.offset > 0
        ? link(
            where,
            Object.assign({}, query, { offset: Math.max(0, page.offset - page.limit) }),
            '← Previous',
          )
        : null,
      el('span', {
        class: 'muted',
        text: count ? `${page.offset + 1}–${page.offset + count}` : '',
      }),
      count === page.limit
        ? link(where, Object.assign({}, query, { offset: page.offset + page.limit }), 'Next →')
        : null,
    ]);
  }

  // ---- A task ----

  function taskPage() {
    const id = params.get('id') || '';
    const queue = params.get('queue') || undefined;
    const body = section('task');
    show(el('h1', {}, ['Task ', el('span', { class: 'mono', text: id })]), body);
    let following = false;
    const refresh = async () => {
      const task = await load('task', { id, queue }, body);
      if (!task) return;
      body.replaceChildren(...taskSections(task, refresh));
      if (!following) {
        following = true;
        follow(task.queue, (change) => change.id === task.id, refresh);
      }
    };
    return refresh();
  }

  function taskSections(task, refresh) {
    const terminal = ['succeeded', 'failed', 'cancelled'].includes(task.status);
    const target = { id: task.id, queue: task.queue };
    const facts = el('dl', { class: 'facts' }, [
      el('dt', { text: 'Task' }),
      el('dd', { text: task.task }),
      el('dt', { text: 'Queue' }),
      el('dd', {}, [link('queue', { name: task.queue }, task.queue)]),
      el('dt', { text: 'Status' }),
      el('dd', {}, [badge(task.status, { id: 'task-status' })]),
      el('dt', { text: 'Attempt' }),
      el('dd', { text: task.attempt }),
      el('dt', { text: 'Priority' }),
      el('dd', { text: task.priority }),
      el('dt', { text: 'Enqueued' }),
      el('dd', { text: `${when(task.enqueuedAt)} (${age(task.enqueuedAt)} ago)` }),
      task.progress !== undefined ? el('dt', { text: 'Progress' }) : null,
      task.progress !== undefined
        ? el('dd', { id: 'task-progress', class: 'mono', text: JSON.stringify(task.progress) })
        : null,
    ]);
    const actions = el('div', { class: 'actions' }, [
      terminal
        ? null
        : actionButton(
            'cancel',
            'Cancel',
            () => act('cancel', target, `Cancel task ${task.id}?`, refresh),
            true,
          ),
      task.status === 'failed'
        ? actionButton('retry', 'Retry now', () =>
            act('retry', target, `Run task ${task.id} again now?`, refresh),
          )
        : null,
    ]);
    const parts = [facts, actions, el('h2', { text: 'Arguments' }), pre(task.args)];
    if (task.metadata !== undefined) parts.push(el('h2', { text: 'Metadata' }), pre(task.metadata));
    if (task.status === 'succeeded') parts.push(el('h2', { text: 'Result' }), pre(task.result));
    if (task.lastError) {
      parts.push(
        el('h2', { text: task.status === 'succeeded' ? 'Last error (a retried run)' : 'Error' }),
        el('p', { class: 'error-message' }, [
          el('strong', { text: task.lastError.name }),
          ': ',
          task.lastError.message,
        ]),
        task.lastError.stack ? el('pre', { class: 'stack', text: task.lastError.stack }) : null,
      );
    }
    const links = linkList(task);
    if (links) parts.push(el('h2', { text: 'Workflow' }), links);
    parts.push(el('h2', { text: 'History' }), timeline(task.history));
    return parts;
  }

  function linkList(task) {
    const l = task.links;
    const items = [];
    if (l.previous) items.push(el('li', {}, ['After step ', taskLink(l.previous)]));
    if (l.next) items.push(el('li', {}, ['Next step ', taskLink(l.next)]));
    if (l.chord)
      items.push(
        el('li', {}, [
          `Part ${l.chordIndex === undefined ? '' : l.chordIndex + 1} of chord, callback `,
          taskLink(l.chord),
        ]),
      );
    if (l.parts !== undefined)
      items.push(
        el('li', { text: `Chord callback: ${l.parts} part(s), ${l.pendingParts || 0} not ended` }),
      );
    for (const child of l.waitingFor || [])
      items.push(el('li', {}, ['Waits for ', taskLink(child)]));
    return items.length ? el('ul', { class: 'links' }, items) : null;
  }

  function timeline(history) {
    return el(
      'ol',
      { class: 'timeline' },
      history.map((entry) =>
        el('li', { class: `s-${entry.status}` }, [
          badge(entry.status),
          el('span', { class: 'muted', text: ` ${when(entry.at)} · attempt ${entry.attempt}` }),
          entry.error
            ? el('div', { class: 'error-message' }, [
                el('strong', { text: entry.error.name }),
                ': ',
                entry.error.message,
              ])
            : null,
        ]),
      ),
    );
  }

  // ---- Dead letters ----

  function deadPage() {
    const queue = params.get('queue') || '';
    const offset = Number(params.get('offset')) || 0;
    const head = section('dead-head');
    const letters = section('letters');
    show(
      el('h1', {}, ['Dead letters of ', link('queue', { name: queue }, queue, { class: 'mono' })]),
      head,
      letters,
    );
    const refresh = async () => {
      const page = await load('dead', { queue, offset }, head, letters);
      if (!page) return;
      const all = (action, question) => () => act(action, { queue }, question, refresh);
      head.replaceChildren(
        el('p', { text: `${page.stats.deadLettered} failed task(s).` }),
        el('div', { class: 'actions' }, [
          actionButton(
            'requeue-all',
            'Requeue all',
            all('requeue', `Run all ${page.stats.deadLettered} failed tasks of ${queue} again?`),
          ),
          actionButton(
            'purge-all',
            'Purge all',
            all('purge', `Delete all ${page.stats.deadLettered} failed tasks of ${queue}?`),
            true,
          ),
        ]),
      );
      const one = (action, id, question) => () =>
        act(action, { queue, ids: [id] }, question, refresh);
      const rows = page.letters.map((d) =>
        el('tr', { 'data-id': d.id }, [
          el('td', {}, [taskLink(d.id, queue)]),
          el('td', { text: d.task }),
          el('td', { text: when(d.failedAt) }),
          el('td', { class: 'num', text: d.attempt }),
          el(
            'td',
            { class: 'error-message' },
            d.error ? [el('strong', { text: d.error.name }), ': ', d.error.message] : [],
          ),
          el('td', { class: 'row-actions' }, [
            actionButton('requeue', 'Requeue', one('requeue', d.id, `Run task ${d.id} again?`)),
            actionButton('purge', 'Purge', one('purge', d.id, `Delete task ${d.id}?`), true),
          ]),
        ]),
      );
      letters.replaceChildren(
        rows.length
          ? table(['ID', 'Task', 'Failed', 'Attempts', 'Error', ''], rows, { class: 'dead' })
          : el('p', { class: 'muted', text: 'No failed task.' }),
        pager(page, { queue }, 'dead'),
      );
    };
    follow(queue, (change) => change.status === 'failed' || change.status === 'submitted', refresh);
    return refresh();
  }

  // ---- Schedules and locks ----

  function schedulesPage() {
    const list = section('schedules');
    show(el('h1', { text: 'Schedules' }), list);
    const refresh = async () => {
      const schedules = await load('schedules', {}, list);
      if (!schedules) return;
      const rows = schedules.map((s) =>
        el('tr', { 'data-id': s.id }, [
          el('td', { class: 'mono', text: s.id }),
          el('td', { text: s.task }),
          el('td', {}, [link('queue', { name: s.queue }, s.queue)]),
          el('td', {
            class: 'mono',
            text: s.cron ? `${s.cron}${s.tz ? ' (' + s.tz + ')' : ''}` : `every ${s.every} ms`,
          }),
          el('td', { class: 'next-tick', text: when(Date.parse(s.nextRunAt)) }),
          el('td', { class: 'mono', text: JSON.stringify(s.args) }),
        ]),
      );
      list.replaceChildren(
        rows.length
          ? table(['ID', 'Task', 'Queue', 'When', 'Next tick', 'Arguments'], rows)
          : el('p', { class: 'muted', text: 'No schedule.' }),
      );
    };
    follow(undefined, (change) => change.status === 'submitted', refresh);
    return refresh();
  }

  function locksPage() {
    const params = new URLSearchParams(location.search);
    const offset = Number(params.get('offset')) || 0;
    const held = section('locks');
    const answer = section('lock');
    const refresh = async () => {
      const page = await load('locks', { offset }, held);
      if (!page) return;
      const rows = page.locks.map((lock) =>
        el('tr', { 'data-lock': lock.name }, [
          el('td', { class: 'mono', text: lock.name }),
          el('td', { class: 'mono lock-holder', text: lock.holder }),
          el('td', { text: lock.fence }),
          el('td', { text: `${lock.expiresInMs} ms` }),
        ]),
      );
      held.replaceChildren(
        el('p', { class: 'muted locks-total', text: `${page.total} held` }),
        rows.length
          ? table(['Lock', 'Held by', 'Fence', 'Expires in'], rows, { class: 'locks' })
          : el('p', { class: 'muted', text: 'No lock is held.' }),
        pager(page, {}, 'locks'),
      );
    };
    const form = el(
      'form',
      {
        class: 'search',
        onsubmit: async (event) => {
          event.preventDefault();
          const name = event.target.elements.name.value.trim();
          const found = name && (await load('lock', { name }, answer));
          if (!found) return;
          const h = found.holder;
          answer.replaceChildren(
            h
              ? el('dl', { class: 'facts' }, [
                  el('dt', { text: 'Lock' }),
                  el('dd', { class: 'mono', text: found.name }),
                  el('dt', { text: 'Held by' }),
                  el('dd', { class: 'mono lock-found', text: h.holder }),
                  el('dt', { text: 'Fence' }),
                  el('dd', { text: h.fence }),
                  el('dt', { text: 'Expires in' }),
                  el('dd', { text: h.expiresInMs < 0 ? 'never' : `${h.expiresInMs} ms` }),
                ])
              : el('p', { class: 'lock-free', text: `No one holds the lock "${found.name}".` }),
          );
        },
      },
      [
        el('input', { name: 'name', placeholder: 'Lock name', 'aria-label': 'lock name' }),
        el('button', { type: 'submit' }, ['Look up']),
      ],
    );
    show(el('h1', { text: 'Locks' }), held, el('h2', { text: 'Look one up' }), form, answer);
    // Locks change without task events: read again every few seconds while the page is open.
    const timer = window.setInterval(refresh, 5000);
    window.addEventListener('pagehide', () => window.clearInterval(timer));
    document.getElementById('live').textContent = '';
    return refresh();
  }

  const pages = {
    overview,
    queue: queuePage,
    task: taskPage,
    dead: deadPage,
    schedules: schedulesPage,
    locks: locksPage,
  };
  Promise.resolve(pages[document.body.dataset.page]()).finally(() =>
    document.body.setAttribute('data-ready', 'true'),
  );
})();
