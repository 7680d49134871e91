// The open project's pending approval requests, kept fresh for the whole tab:
// the count in the navigation and the approvals page's inbox read one list.
import { get, projectPath, query } from './api.js';
import { h } from './dom.js';
import { listenLive } from './live-feed.js';

// A live stream of the approval steps alone moves the count the moment one is written; the poll only covers a dropped or refused stream.
const POLL_MS = 20_000;
const PAGE = 200; // the most the server lists at once; beyond it the count reads "200+"
const SETTLE_MS = 150; // a burst of approval events costs one read

let followed = null; // { projectId, stopLive, timer, settle, seq, items, more, loaded }
const listeners = new Set();
const badges = new Set();

const APPROVAL_ACTIONS = ['approval_requested', 'approval_granted', 'approval_denied', 'approval_expired'];

// Requests past their expiry are no longer the person's to decide, even
// before the server's sweeper has marked them.
function stillOpen(items) {
  const now = Date.now();
  return items.filter((a) => !a.expires_at || Date.parse(a.expires_at) > now);
}

function showCount(items) {
  const label = followed.more ? `${items.length}+` : String(items.length);
  for (const badge of badges) {
    if (!badge.isConnected && badge.dataset.shown) {
      badges.delete(badge);
      continue;
    }
    badge.dataset.shown = '1';
    badge.hidden = items.length === 0;
    badge.firstChild.textContent = label;
  }
}

function publish() {
  const items = stillOpen(followed.items);
  showCount(items);
  listeners.forEach((fn) => fn({ items, more: followed.more }));
}

// Reads the pending list now (the page calls it after a decision, too).
export async function refreshPending() {
  const f = followed;
  if (!f) return;
  const seq = ++f.seq;
  let body;
  try {
    body = await get(projectPath(f.projectId, `/approvals${query({ status: 'pending', limit: PAGE })}`));
  } catch (error) {
    // The count keeps its last value; the next event or poll tries again.
    if (followed === f && seq === f.seq) listeners.forEach((fn) => fn({ error }));
    return;
  }
  if (followed !== f || seq !== f.seq) return; // a newer read or another project
  f.items = body.approvals || [];
  f.more = Boolean(body.next_cursor);
  f.loaded = true;
  publish();
}

function soon() {
  if (!followed || followed.settle) return;
  const f = followed;
  f.settle = setTimeout(() => {
    f.settle = null;
    refreshPending();
  }, SETTLE_MS);
}

// Follows one project's pending requests (null: none, e.g. signed out).
export function followPending(projectId) {
  if (followed && followed.projectId === projectId) return;
  if (followed) {
    followed.stopLive();
    clearInterval(followed.timer);
    clearTimeout(followed.settle);
    followed = null;
  }
  if (!projectId) return;
  followed = { projectId, seq: 0, items: [], more: false, loaded: false, settle: null };
  followed.stopLive = listenLive(projectId, { event: soon }, APPROVAL_ACTIONS);
  followed.timer = setInterval(refreshPending, POLL_MS);
  refreshPending();
}

// Calls `fn({items, more})` on every refresh (at once when already loaded),
// or `fn({error})` when a read failed; returns the function that stops it.
export function onPending(fn) {
  listeners.add(fn);
  if (followed && followed.loaded) fn({ items: stillOpen(followed.items), more: followed.more });
  return () => listeners.delete(fn);
}

// The count for the navigation: hidden at zero, updated in place.
export function pendingBadge() {
  const badge = h('span', { class: 'nav-count', id: 'pending-count', hidden: true }, h('span', null, '0'), h('span', { class: 'offscreen' }, ' pending'));
  badges.add(badge);
  if (followed && followed.loaded) showCount(stillOpen(followed.items));
  return badge;
}
