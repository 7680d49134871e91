import { post, projectPath } from '../api.js';
import { h, replace } from '../dom.js';
import { notice } from '../components/notice.js';
import { fmtAge, fmtSpan, fmtTime } from '../format.js';
import { listenLive } from '../live-feed.js';
import { onPending, refreshPending } from '../pending-approvals.js';
import { approvalCard, expireCard } from './approvals/approval-card.js';
import { approvalHistory, approvalTerms, statusBadge } from './approvals/approval-history.js';
import { findApproval } from './approvals/find-approval.js';

const DECISIONS = new Set(['approval_granted', 'approval_denied', 'approval_expired']);

// The ages and times left on the page, as of now.
function tick(root) {
  const now = Date.now();
  root.querySelectorAll('[data-since]').forEach((el) => (el.textContent = fmtAge((now - Date.parse(el.dataset.since)) / 1000)));
  root.querySelectorAll('[data-until]').forEach((el) => {
    const left = (Date.parse(el.dataset.until) - now) / 1000;
    if (left > 0) {
      el.textContent = `${fmtSpan(left)} left`;
      return;
    }
    el.textContent = 'Expired';
    const card = el.closest('.approval');
    if (card) expireCard(card);
  });
}

function callName(approval) {
  return `${approval.agent_name}’s ${approval.function_name ? `call to ${approval.function_name}` : `request for ${approval.scope}`}`;
}

// A request opened by link that is no longer pending: what became of it.
function decidedSummary(approval) {
  return h(
    'section',
    { class: 'card approval approval-selected', 'data-approval-id': approval.id, 'aria-labelledby': 'selected-title' },
    h(
      'div',
      { class: 'approval-head' },
      h('h2', { id: 'selected-title' }, h('span', { class: 'approval-agent' }, approval.agent_name), ' asked for ', h('code', null, approval.scope)),
      statusBadge(approval.status),
    ),
    h(
      'dl',
      { class: 'facts approval-facts' },
      h('dt', null, 'Asked'),
      h('dd', null, fmtTime(approval.requested_at)),
      h('dt', null, approval.status === 'expired' ? 'Expired' : 'Decided'),
      h('dd', null, approval.status === 'expired' ? fmtTime(approval.expires_at) : `${fmtTime(approval.decided_at)} by ${approval.decided_by}`),
      approval.reason ? [h('dt', null, 'Reason'), h('dd', null, approval.reason)] : null,
      approval.status === 'approved' ? [h('dt', null, 'Allowed'), h('dd', null, approvalTerms(approval))] : null,
    ),
  );
}

export function renderApprovals(main, { project }) {
  const selectedId = new URLSearchParams(location.search).get('id');
  const status = h('div', { id: 'approvals-status', class: 'form-status' });
  const pendingTitle = h('h2', { id: 'pending-title' }, 'Waiting for a decision');
  const inbox = h('div', { id: 'approvals-pending', class: 'approval-list' }, h('p', { class: 'loading' }, 'Loading…'));
  const selectedBox = h('div', { id: 'approval-selected' });
  const history = approvalHistory(project.id, { selectedId });
  const cards = new Map(); // id → card, kept across refreshes so a half-typed reason survives
  let selectedShown = false;

  replace(
    main,
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Approvals')),
      h(
        'p',
        { class: 'muted' },
        'An agent in approval mode that lacks a scope waits here for a person. Approve once lets that one call run; approve for some minutes lets the agent use the scope until then; deny refuses it.',
      ),
      status,
      selectedBox,
      h('section', { class: 'approvals-inbox', 'aria-labelledby': 'pending-title' }, pendingTitle, inbox),
      history.element,
    ),
  );

  async function decide(approval, kind, body) {
    const what = kind === 'deny' ? 'deny' : 'approve';
    try {
      await post(projectPath(project.id, `/approvals/${encodeURIComponent(approval.id)}/${kind}`), body);
      const how = kind === 'deny' ? 'Denied' : body.for_minutes ? `Approved for ${body.for_minutes} min` : 'Approved once';
      replace(status, notice('success', `${how}: ${callName(approval)}.`));
      cards.get(approval.id)?.remove();
      cards.delete(approval.id);
      return true;
    } catch (error) {
      // A 409 says who decided first (or that it expired): the person reads it as the server wrote it.
      replace(status, notice('error', `Could not ${what} ${callName(approval)}: ${error.message}`));
      return false;
    } finally {
      refreshPending();
      history.reload();
    }
  }

  async function showSelectedElsewhere() {
    selectedShown = true;
    try {
      const found = await findApproval(project.id, selectedId);
      if (found && found.status !== 'pending') replace(selectedBox, decidedSummary(found));
      else if (!found) replace(selectedBox, notice('info', `No request ${selectedId} in this project.`));
    } catch (error) {
      replace(selectedBox, notice('error', `Request ${selectedId} could not be read: ${error.message}`));
    }
  }

  function render({ items, more, error }) {
    if (error) {
      // Cards already shown stay decidable; only a page with none says why it is empty.
      if (!cards.size) replace(inbox, notice('error', `The pending requests could not be loaded: ${error.message}`));
      return;
    }
    const ids = new Set(items.map((a) => a.id));
    for (const [id, card] of cards) {
      if (!ids.has(id)) {
        card.remove();
        cards.delete(id);
      }
    }
    const ordered = items.map((a) => {
      if (!cards.has(a.id)) cards.set(a.id, approvalCard(a, { selected: a.id === selectedId, decide: (kind, body) => decide(a, kind, body) }));
      return cards.get(a.id);
    });
    pendingTitle.textContent = `Waiting for a decision (${items.length}${more ? '+' : ''})`;
    if (!items.length) {
      replace(
        inbox,
        h('div', { class: 'card empty', id: 'approvals-empty' }, h('p', null, 'Nothing is waiting. A new request appears here the moment an agent asks.')),
      );
    } else {
      if (inbox.querySelector('#approvals-empty, .loading, .notice')) replace(inbox);
      // Newest first; append() moves a card already shown instead of copying it.
      ordered.forEach((card) => inbox.append(card));
    }
    tick(main);
    if (selectedId && !selectedShown) {
      if (ids.has(selectedId)) {
        selectedShown = true;
        cards.get(selectedId).scrollIntoView({ block: 'center' });
      } else {
        showSelectedElsewhere();
      }
    }
  }

  const stopPending = onPending(render);
  refreshPending(); // fresh on arrival, not only as of the last event or poll
  let settle = null;
  const stopLive = listenLive(project.id, {
    event(event) {
      if (!DECISIONS.has(event.action) || settle) return;
      settle = setTimeout(() => {
        settle = null;
        history.reload();
      }, 150);
    },
  });
  const ticker = setInterval(() => tick(main), 1000);

  return {
    dispose() {
      stopPending();
      stopLive();
      clearInterval(ticker);
      clearTimeout(settle);
    },
  };
}
