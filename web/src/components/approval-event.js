import { h } from '../dom.js';
import { fmtTime } from '../format.js';

// The approval request an event belongs to, one click away.
function requestLink(metadata, approvalHref) {
  return metadata.approval_id ? h('a', { href: approvalHref(metadata.approval_id), class: 'approval-link' }, 'Open the request') : null;
}

function decider(metadata) {
  return h('span', { class: 'history-author approval-decider' }, metadata.decided_by || 'someone');
}

function sentence(event, metadata) {
  switch (event.action) {
    case 'approval_requested':
      return ['Asked a person', metadata.expires_at ? `; expires ${fmtTime(metadata.expires_at)}` : ''];
    case 'approval_granted':
      return [
        'Approved by ',
        decider(metadata),
        metadata.for_minutes ? ` for ${metadata.for_minutes} min${metadata.grant_until ? ` (until ${fmtTime(metadata.grant_until)})` : ''}` : ', once',
      ];
    case 'approval_denied':
      return ['Denied by ', decider(metadata)];
    case 'approval_expired':
      return ['Expired with nobody deciding'];
    default:
      return metadata.matched === 'approval' ? ['Let through by an approval'] : null;
  }
}

// An approval step (or a call an approval let through) as a sentence a person
// reads: who decided, how, why, with a link to the request; null for other
// events. `approvalHref(id)` is the request's page.
export function approvalEventSummary(event, approvalHref) {
  const metadata = event.metadata || {};
  const words = sentence(event, metadata);
  if (!words) return null;
  const why = event.action === 'approval_requested' ? null : metadata.reason;
  return h(
    'div',
    { class: 'approval-event' },
    h('div', null, ...words, '. ', requestLink(metadata, approvalHref)),
    why ? h('div', { class: 'decision-reason' }, `“${why}”`) : null,
  );
}
