// A project's live stream (GET …/live), opened once per tab however many parts
// of the page listen to it: the server allows each person only a few open
// streams, and the live page and the approvals count both follow one.
import { projectPath } from './api.js';

const feeds = new Map(); // project id → { source, listeners }

function open(projectId) {
  const feed = { source: new EventSource(projectPath(projectId, '/live')), listeners: new Set() };
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
  feeds.set(projectId, feed);
  return feed;
}

// Calls `listener.event(event)` for each new event of the project,
// `listener.open()` when the stream is (or already was) connected and
// `listener.error(closed)` when it drops; `closed` means it will not come back.
// Returns the function that stops listening; the last one out closes the stream.
export function listenLive(projectId, listener) {
  let feed = feeds.get(projectId);
  // A refused stream (too many open) is asked for again when a new part of the page listens.
  if (feed && feed.source.readyState === EventSource.CLOSED) {
    const waiting = feed.listeners;
    feed = open(projectId);
    waiting.forEach((l) => feed.listeners.add(l));
  }
  if (!feed) feed = open(projectId);
  feed.listeners.add(listener);
  if (feed.source.readyState === EventSource.OPEN && listener.open) listener.open();
  return () => {
    feed.listeners.delete(listener);
    if (!feed.listeners.size) {
      feed.source.close();
      feeds.delete(projectId);
    }
  };
}
