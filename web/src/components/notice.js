import { h } from '../dom.js';

// A status line that screen readers announce: `kind` is error, success or info.
export function notice(kind, ...children) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}
