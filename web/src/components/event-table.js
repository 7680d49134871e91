import { h } from '../dom.js';
import { fmtTime } from '../format.js';

// One event as a table row. With `filterHref(name, value)`, the agent, action,
// scope and function cells link to the audit log filtered on them.
export function eventRow(event, { fresh = false, filterHref = null } = {}) {
  const denied = !event.allowed;
  const cell = (name, value, content) =>
    filterHref && value ? h('a', { href: filterHref(name, value), title: `Only ${name.replace('_', ' ')} ${value}` }, content) : content;
  return h(
    'tr',
    { class: `${denied ? 'row-denied' : ''}${fresh ? ' row-fresh' : ''}`, 'data-event-id': event.id },
    h('td', { class: 'nowrap' }, h('time', { datetime: event.timestamp }, fmtTime(event.timestamp))),
    h('td', null, cell('agent_name', event.agent_name, event.agent_name)),
    h('td', null, h('span', { class: `badge ${denied ? 'badge-denied' : 'badge-allowed'}` }, denied ? 'Denied' : 'Allowed')),
    h('td', null, cell('action', event.action, h('code', null, event.action))),
    h('td', null, event.scope ? cell('scope', event.scope, h('code', null, event.scope)) : '—'),
    h('td', null, event.function_name ? cell('function_name', event.function_name, event.function_name) : '—'),
  );
}

// The events table with its header; rows (from eventRow) go into `tbody`.
export function eventTable(id) {
  const tbody = h('tbody');
  const table = h(
    'table',
    { id, class: 'events' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Time', 'Agent', 'Decision', 'Action', 'Scope', 'Function'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    tbody,
  );
  return { table, tbody };
}
