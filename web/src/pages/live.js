import { get, projectPath, query } from '../api.js';
import { listenLive } from '../live-feed.js';
import { h, replace, append } from '../dom.js';
import { notice } from '../components/notice.js';
import { eventTable, eventRow } from '../components/event-table.js';
import { quickStartCurl } from '../components/quick-start.js';

const MAX_ROWS = 300;

export function renderLive(main, { project, projectUrl }) {
  let stopListening = null;
  let disposed = false;
  let paused = false;
  let held = [];
  const seen = new Set();
  const { table, tbody } = eventTable('live-feed');
  const status = h('span', { class: 'live-status', role: 'status', id: 'live-status' }, 'Connecting…');
  const heldNote = h('span', { class: 'held', 'aria-live': 'polite' });
  const pause = h('button', { type: 'button', class: 'btn', id: 'live-pause', 'aria-pressed': 'false' }, 'Pause');
  const onlyDenied = h('input', { type: 'checkbox', id: 'live-only-denied' });
  const empty = h(
    'div',
    { class: 'card empty', id: 'live-empty' },
    h('h2', null, 'Waiting for events'),
    h('p', null, 'New decisions appear here within a second of reaching the server. Send one now:'),
    h('pre', { class: 'code' }, quickStartCurl(location.origin, '$AGENTSUDO_API_KEY')),
    h('p', null, 'No key yet? ', h('a', { href: projectUrl(project.id, 'keys') }, 'Create an API key'), '.'),
  );

  pause.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) {
      const backlog = held;
      held = [];
      backlog.forEach((event) => show(event, true));
    }
    updateHeld();
  });
  onlyDenied.addEventListener('change', () => table.classList.toggle('only-denied', onlyDenied.checked));

  function updateHeld() {
    heldNote.textContent = paused ? `Paused${held.length ? `: ${held.length} new event${held.length === 1 ? '' : 's'} waiting` : ''}` : '';
  }

  function show(event, fresh) {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    empty.hidden = true;
    table.hidden = false;
    tbody.prepend(eventRow(event, { fresh, filterHref: (name, value) => `${projectUrl(project.id, 'audit')}?${name}=${encodeURIComponent(value)}` }));
    while (tbody.rows.length > MAX_ROWS) tbody.lastElementChild.remove();
  }

  replace(
    main,
    h(
      'section',
      { class: 'page' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', null, 'Live activity'),
        h('div', { class: 'page-tools' }, status, heldNote, h('label', { class: 'check' }, onlyDenied, ' Denials only'), pause),
      ),
      empty,
      h('div', { class: 'table-wrap' }, table),
    ),
  );
  table.hidden = true;

  // The latest events first, so the page is not blank; then the stream.
  get(projectPath(project.id, `/events${query({ limit: 25 })}`))
    .then((body) => {
      const events = body.events || [];
      for (let i = events.length - 1; i >= 0; i--) show(events[i], false);
    })
    .catch(() => {})
    .finally(connect);

  function connect() {
    if (disposed) return;
    stopListening = listenLive(project.id, {
      open() {
        status.textContent = 'Live';
        status.className = 'live-status live-on';
      },
      event(event) {
        if (paused) {
          if (!seen.has(event.id)) held.push(event);
          updateHeld();
        } else {
          show(event, true);
        }
      },
      error(closed) {
        status.textContent = closed ? 'Disconnected' : 'Reconnecting…';
        status.className = 'live-status live-off';
        if (closed) append(empty, notice('error', 'The live feed was refused (too many open feeds?). Close other tabs and reload.'));
      },
    });
  }

  return {
    dispose() {
      disposed = true;
      if (stopListening) stopListening();
    },
  };
}
