import { h, replace } from '../../dom.js';
import { notice } from '../../components/notice.js';
import { policyChange } from '../../components/policy-change.js';
import { fmtTime, fmtRelative } from '../../format.js';

// An agent first seen in events joins the policy when its settings are first
// saved; the server calls that change "created" although the agent existed.
const VERB = { created: 'Added to the policy', updated: 'Changed', deleted: 'Removed from the policy' };

function entry(change) {
  return h(
    'li',
    { class: 'history-entry', 'data-version': change.version },
    h(
      'div',
      { class: 'history-head' },
      h('span', { class: 'badge badge-version' }, `v${change.version}`),
      ' ',
      h('strong', null, VERB[change.change] || change.change),
      ' by ',
      h('span', { class: 'history-author' }, change.changed_by),
      ', ',
      h('time', { datetime: change.changed_at, title: fmtTime(change.changed_at) }, fmtRelative(change.changed_at)),
    ),
    policyChange(change.change, change.old, change.new),
  );
}

// The agent's policy history, newest first: `load()` fetches it (again after
// a save) through `fetchChanges`, which resolves to the API's `changes`.
export function policyHistory({ fetchChanges, auditHref }) {
  const list = h('div', { id: 'agent-history', 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading…'));
  let seq = 0;

  async function load() {
    const mine = ++seq;
    let changes;
    try {
      changes = await fetchChanges();
    } catch (error) {
      if (mine === seq) replace(list, notice('error', `The history could not be loaded: ${error.message}`));
      return;
    }
    if (mine !== seq) return;
    replace(
      list,
      changes.length
        ? h('ol', { class: 'history' }, changes.map(entry))
        : h(
            'p',
            { class: 'muted' },
            'No changes yet. An agent first seen in events joins the policy, and its history starts, when its settings are first saved.',
          ),
    );
  }

  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, 'History'),
    list,
    h('p', { class: 'hint' }, 'Each change is also in the ', h('a', { href: auditHref }, 'audit log'), ' as a policy_changed event.'),
  );
  return { element, load };
}
