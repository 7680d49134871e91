import { get, projectPath, query } from '../api.js';
import { h, replace } from '../dom.js';
import { notice } from '../components/notice.js';
import { field } from '../components/field.js';
import { ACTIONS } from '../format.js';
import { navigate } from '../router.js';
import { eventTable, eventRow } from '../components/event-table.js';
import { policyChangeFromMetadata } from '../components/policy-change.js';
import { approvalEventSummary } from '../components/approval-event.js';

// The filters live in the URL's query, so a filtered view is a link.
const FILTERS = ['agent_name', 'scope', 'action', 'allowed', 'function_name', 'since', 'until'];
const PAGE_SIZE = 50;

function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

// A policy change reads as what it did, by whom, to which version; the raw
// metadata stays one click away below it.
function policyChangeCell(metadata) {
  const diff = policyChangeFromMetadata(metadata);
  if (!diff) return null;
  return h(
    'div',
    { class: 'policy-event' },
    h('div', null, `v${metadata.policy_version} by `, h('span', { class: 'history-author' }, metadata.changed_by)),
    diff,
  );
}

export function renderAudit(main, { project, projectUrl }) {
  const approvalHref = (id) => `${projectUrl(project.id, 'approvals')}?id=${encodeURIComponent(id)}`;
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const name of FILTERS) filters[name] = params.get(name) || '';
  const cursor = params.get('cursor') || '';
  const page = Number(params.get('page')) || 1;

  const inputs = {
    agent_name: h('input', { type: 'text', name: 'agent_name', value: filters.agent_name, placeholder: 'any' }),
    scope: h('input', { type: 'text', name: 'scope', value: filters.scope, placeholder: 'any (exact)' }),
    action: h(
      'select',
      { name: 'action' },
      h('option', { value: '' }, 'any'),
      ACTIONS.map((a) => h('option', { value: a, selected: a === filters.action }, a)),
    ),
    allowed: h(
      'select',
      { name: 'allowed' },
      h('option', { value: '' }, 'any'),
      h('option', { value: 'true', selected: filters.allowed === 'true' }, 'allowed'),
      h('option', { value: 'false', selected: filters.allowed === 'false' }, 'denied'),
    ),
    function_name: h('input', { type: 'text', name: 'function_name', value: filters.function_name, placeholder: 'any' }),
    since: h('input', { type: 'datetime-local', name: 'since', value: toLocalInput(filters.since) }),
    until: h('input', { type: 'datetime-local', name: 'until', value: toLocalInput(filters.until) }),
  };

  const form = h(
    'form',
    { id: 'audit-filters', role: 'search' },
    h(
      'div',
      { class: 'filter-grid' },
      field('Agent', inputs.agent_name),
      field('Scope', inputs.scope),
      field('Action', inputs.action),
      field('Decision', inputs.allowed),
      field('Function', inputs.function_name),
      field('From', inputs.since),
      field('Until', inputs.until),
    ),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'btn', href: location.pathname }, 'Clear'),
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Apply filters'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = {};
    for (const name of FILTERS) {
      const raw = inputs[name].value.trim();
      next[name] = name === 'since' || name === 'until' ? fromLocalInput(raw) : raw;
    }
    navigate(location.pathname + query(next));
  });

  const active = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
  // Open on wide screens and whenever filters apply; one tap away on a phone.
  const activeCount = Object.keys(active).length;
  const filterBox = h(
    'details',
    { class: 'card filters', open: activeCount > 0 || window.matchMedia('(min-width: 641px)').matches },
    h('summary', null, activeCount ? `Filters (${activeCount} active)` : 'Filters'),
    form,
  );
  const exportCsv = h(
    'a',
    { class: 'btn btn-small', id: 'export-csv', href: projectPath(project.id, `/events/export${query({ format: 'csv', ...active })}`), download: '' },
    'Export CSV',
  );
  const exportNdjson = h(
    'a',
    { class: 'btn btn-small', id: 'export-ndjson', href: projectPath(project.id, `/events/export${query({ format: 'ndjson', ...active })}`), download: '' },
    'Export NDJSON',
  );

  const { table, tbody } = eventTable('audit-table');
  const results = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading…'));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });

  replace(
    main,
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Audit log'), h('div', { class: 'page-tools' }, exportCsv, exportNdjson)),
      filterBox,
      results,
      pager,
    ),
  );

  (async () => {
    let body;
    try {
      body = await get(projectPath(project.id, `/events${query({ ...active, limit: PAGE_SIZE, cursor })}`));
    } catch (error) {
      replace(results, notice('error', error.field ? `${error.message}` : `The events could not be loaded: ${error.message}`));
      return;
    }
    const events = body.events || [];
    if (!events.length) {
      const filtered = Object.keys(active).length > 0;
      replace(results, notice('info', filtered ? 'No event matches these filters.' : 'No events yet. Send one with the quick-start on the API keys page.'));
    } else {
      for (const event of events) {
        const row = eventRow(event, { filterHref: (name, value) => location.pathname + query({ ...active, [name]: value }) });
        const meta = event.metadata && Object.keys(event.metadata).length ? JSON.stringify(event.metadata) : '';
        row.append(
          h(
            'td',
            { class: 'meta' },
            event.action === 'policy_changed' ? policyChangeCell(event.metadata) : approvalEventSummary(event, approvalHref),
            meta ? h('details', null, h('summary', null, 'metadata'), h('pre', null, JSON.stringify(event.metadata, null, 2))) : '',
          ),
        );
        tbody.append(row);
      }
      table.tHead.rows[0].append(h('th', { scope: 'col' }, 'Metadata'));
      replace(
        results,
        h('p', { class: 'muted', id: 'audit-count' }, `Page ${page}: ${events.length} event${events.length === 1 ? '' : 's'}, newest first.`),
        table,
      );
    }
    const links = [];
    if (cursor) links.push(h('a', { class: 'btn', href: location.pathname + query(active), id: 'page-first' }, 'Newest'));
    if (body.next_cursor)
      links.push(
        h('a', { class: 'btn', id: 'page-next', href: location.pathname + query({ ...active, cursor: body.next_cursor, page: page + 1 }) }, 'Older →'),
      );
    replace(pager, links);
  })();
  return {};
}
