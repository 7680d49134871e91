import { h } from '../dom.js';
import { fmtTime } from '../format.js';

// The steps of an approval request say what they are rather than "Denied":
// the request itself is recorded as not allowed, yet nothing was refused yet.
const APPROVAL_BADGES = {
  approval_requested: ['badge-pending', 'Approval asked'],
  approval_granted: ['badge-allowed', 'Approved'],
  approval_denied: ['badge-denied', 'Denied by a person'],
  approval_expired: ['badge-expired', 'Approval expired'],
};

// A policy change is recorded as allowed, but it is no decision: it says so
// rather than showing a green "Allowed".
function decisionBadge(event) {
  if (event.action === 'policy_changed') return h('span', { class: 'badge badge-policy' }, 'Policy change');
  const approval = APPROVAL_BADGES[event.action];
  if (approval) return h('span', { class: `badge ${approval[0]}` }, approval[1]);
  return event.allowed ? h('span', { class: 'badge badge-allowed' }, 'Allowed') : h('span', { class: 'badge badge-denied' }, 'Denied');
}

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
    h('td', null, decisionBadge(event)),
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
