// A project's live stream (GET …/live), opened once per tab and filter however
// many parts of the page listen to it: the server allows each person only a
// few open streams.
import { projectPath } from './api.js';

const feeds = new Map(); // project id and actions → { source, listeners }

const feedKey = (projectId, actions) => `${projectId}?${actions.join('&')}`;

function open(projectId, actions) {
  const query = actions.map((a) => `action=${encodeURIComponent(a)}`).join('&');
  const url = projectPath(projectId, '/live') + (query ? `?${query}` : '');
  const feed = { source: new EventSource(url), listeners: new Set() };
  const each = (name, arg) => feed.listeners.forEach((l) => l[name] && l[name](arg));
  feed.source.addEventListener('open', () => each('open'));
  feed.source.addEventListener('event', (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    each('event', event);
  });
  // EventSource reconnects by itself (sending Last-Event-ID) unless CLOSED.
  feed.source.addEventListener('error', () => each('error', feed.source.readyState === EventSource.CLOSED));
  feeds.set(feedKey(projectId, actions), feed);
  return feed;
}

// Calls `listener.event(event)` for each new event of the project (only those
// of `actions` when given: the server filters, so a badge that counts approval
// requests is not sent a busy project's every check), `listener.open()` when
// the stream is (or already was) connected and `listener.error(closed)` when
// it drops; `closed` means it will not come back. Returns the function that
// stops listening; the last one out closes the stream.
export function listenLive(projectId, listener, actions = []) {
  const key = feedKey(projectId, actions);
  let feed = feeds.get(key);
  // A refused stream (too many open) is asked for again when a new part of the page listens.
  if (feed && feed.source.readyState === EventSource.CLOSED) {
    const waiting = feed.listeners;
    feed = open(projectId, actions);
    waiting.forEach((l) => feed.listeners.add(l));
  }
  if (!feed) feed = open(projectId, actions);
  feed.listeners.add(listener);
  if (feed.source.readyState === EventSource.OPEN && listener.open) listener.open();
  return () => {
    feed.listeners.delete(listener);
    if (!feed.listeners.size) {
      feed.source.close();
      feeds.delete(key);
    }
  };
}
