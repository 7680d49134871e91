import { h } from '../dom.js';

// A titled chart card. `summary` is the text alternative read by screen readers.
export function chartCard(title, id, summary) {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': summary || title });
  return {
    card: h(
      'section',
      { class: 'card chart-card', 'aria-labelledby': `${id}-title` },
      h('h2', { id: `${id}-title` }, title),
      h('div', { class: 'chart-box' }, canvas),
    ),
    canvas,
  };
}
