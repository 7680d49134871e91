import { h } from '../dom.js';

// The project tier chooser, for creating a project and for its settings.
export function tierSelect() {
  return h(
    'select',
    { name: 'tier' },
    h('option', { value: 'free' }, 'Free (1,000 events a day)'),
    h('option', { value: 'pro' }, 'Pro (100,000 events a day)'),
  );
}
