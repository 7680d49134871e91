import { get, projectPath, query } from '../../api.js';
import { h, replace } from '../../dom.js';
import { notice } from '../../components/notice.js';
import { field } from '../../components/field.js';
import { fmtTime } from '../../format.js';

const PAGE = 50;
const FILTERS = [
  { value: 'all', label: 'All decisions' },
  { value: 'approved', label: 'Approved' },
  { value: 'denied', label: 'Denied' },
  { value: 'expired', label: 'Expired' },
];

const BADGES = {
  pending: ['badge-pending', 'Pending'],
  approved: ['badge-allowed', 'Approved'],
  denied: ['badge-denied', 'Denied'],
  expired: ['badge-expired', 'Expired'],
};

export function statusBadge(status) {
  const [cls, label] = BADGES[status] || ['badge-pending', status];
  return h('span', { class: `badge ${cls}` }, label);
}

// What an approval let through: one call (used or not yet), or every call of
// the agent under the scope until a time.
export function approvalTerms(approval) {
  if (approval.status !== 'approved') return '—';
  if (approval.grant_until) return `Scope granted until ${fmtTime(approval.grant_until)}`;
  return approval.spent_at ? `Once; the call ran ${fmtTime(approval.spent_at)}` : 'Once; not used yet';
}

function row(approval, selectedId) {
  return h(
    'tr',
    { 'data-approval-id': approval.id, class: approval.id === selectedId ? 'row-selected' : null, 'aria-current': approval.id === selectedId ? 'true' : null },
    h('td', null, statusBadge(approval.status)),
    h('td', null, approval.agent_name),
    h('td', null, h('code', null, approval.scope)),
    h('td', null, approval.function_name || '—'),
    h('td', { class: 'decided-by' }, approval.decided_by || (approval.status === 'expired' ? 'nobody (expired)' : '—')),
    h('td', { class: 'nowrap' }, h('time', { datetime: approval.decided_at || approval.expires_at }, fmtTime(approval.decided_at || approval.expires_at))),
    h('td', { class: 'decision-reason' }, approval.reason || '—'),
    h('td', null, approvalTerms(approval)),
  );
}

// The decided requests, newest first, filtered by outcome, with older pages
// on demand. `reload()` reads the first page again (after a decision).
export function approvalHistory(projectId, { selectedId = null } = {}) {
  const filter = h(
    'select',
    { id: 'history-status' },
    FILTERS.map((f) => h('option', { value: f.value }, f.label)),
  );
  const tbody = h('tbody');
  const table = h(
    'table',
    { id: 'approvals-history-table' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Outcome', 'Agent', 'Scope', 'Function', 'Decided by', 'When', 'Reason', 'What it allowed'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    tbody,
  );
  const results = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading…'));
  const more = h('button', { type: 'button', class: 'btn', id: 'history-older', hidden: true }, 'Older →');
  let cursor = null;
  let seq = 0;

  async function load(append) {
    const mine = ++seq;
    let body;
    try {
      body = await get(projectPath(projectId, `/approvals${query({ status: filter.value, limit: PAGE, cursor: append ? cursor : '' })}`));
    } catch (error) {
      if (mine === seq) replace(results, notice('error', `The decisions could not be loaded: ${error.message}`));
      return;
    }
    if (mine !== seq) return; // a newer filter or reload won
    const decided = (body.approvals || []).filter((a) => a.status !== 'pending');
    if (!append) replace(tbody);
    decided.forEach((a) => tbody.append(row(a, selectedId)));
    cursor = body.next_cursor || null;
    more.hidden = !cursor;
    if (!tbody.rows.length) replace(results, notice('info', filter.value === 'all' ? 'No request has been decided yet.' : `No ${filter.value} request.`));
    else if (results.firstChild !== table) replace(results, table);
  }
  filter.addEventListener('change', () => load(false));
  more.addEventListener('click', () => load(true));
  load(false);

  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': 'history-title', id: 'approvals-history' },
    h('div', { class: 'page-head' }, h('h2', { id: 'history-title' }, 'Decisions'), h('div', { class: 'page-tools' }, field('Show', filter))),
    results,
    h('div', { class: 'pager' }, more),
  );
  return { element, reload: () => load(false) };
}
