import { h, replace } from '../../dom.js';
import { notice } from '../../components/notice.js';
import { ApiError } from '../../api.js';
import { fmtNumber } from '../../format.js';

const DAY_CHOICES = [7, 30];
// Long enough that typing a scope asks the server once, short enough to feel live.
const DEBOUNCE_MS = 300;

const plural = (n, one, many) => `${fmtNumber(n)} ${n === 1 ? one : many}`;

// One side of the answer: a headline count and the scopes behind it.
function side(id, tone, count, headline, shifts, none) {
  return h(
    'div',
    { class: `preview-side preview-${tone}`, id },
    h('p', { class: 'preview-count' }, h('strong', { class: 'count' }, fmtNumber(count)), ' ', headline),
    h(
      'ul',
      { class: `scope-list ${tone}`, id: `${id}-scopes` },
      shifts.length
        ? shifts.map((s) =>
            h('li', { 'data-scope': s.scope }, h('code', null, s.scope), ' ', h('span', { class: 'muted calls' }, plural(s.calls, 'call', 'calls'))),
          )
        : h('li', { class: 'muted' }, none),
    ),
  );
}

// The scope editor's preview: over the agent's recorded calls of the last 7 or
// 30 days, how many granted then the new scopes would deny, and how many
// denied then they would grant. `fetchPreview(scopes, days)` asks the server;
// `onScopesError(error)` receives a refusal of the scopes (null once they are
// accepted) so the editor can show it beside the field.
export function policyPreview({ agentName, fetchPreview, onScopesError }) {
  let days = DAY_CHOICES[0];
  let scopes = [];
  let timer = null;
  let seq = 0;

  const body = h('div', { class: 'preview-body', id: 'preview-body' });
  const region = h('div', { 'aria-live': 'polite' }, body);
  const buttons = DAY_CHOICES.map((d) =>
    h(
      'button',
      {
        type: 'button',
        class: 'btn btn-small',
        'aria-pressed': String(d === days),
        onclick: () => {
          days = d;
          buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(DAY_CHOICES[i] === days)));
          run(scopes);
        },
      },
      `${d} days`,
    ),
  );

  function show(result) {
    const range = `in the last ${result.days} days`;
    if (!result.calls) {
      replace(
        body,
        h(
          'p',
          { class: 'muted', id: 'preview-empty' },
          `${agentName} made no calls with a scope ${range}, so there is nothing to compare this change against.`,
          result.days < DAY_CHOICES[DAY_CHOICES.length - 1] ? ' Try a longer range.' : '',
        ),
      );
      return;
    }
    const total = h('p', { class: 'muted', id: 'preview-total' }, `Against ${agentName}'s ${plural(result.calls, 'call', 'calls')} with a scope ${range}:`);
    if (!result.newly_denied && !result.newly_granted) {
      replace(body, total, h('p', { id: 'preview-unchanged' }, 'Every one of them would have been decided the same way.'));
      return;
    }
    replace(
      body,
      total,
      h(
        'div',
        { class: 'grid-2 tight' },
        side(
          'preview-denied',
          'denied',
          result.newly_denied,
          'granted then, would be denied',
          result.denied_scopes,
          'No call that was granted would be denied.',
        ),
        side(
          'preview-granted',
          'granted',
          result.newly_granted,
          'denied then, would be granted',
          result.granted_scopes,
          'No call that was denied would be granted.',
        ),
      ),
    );
  }

  async function run(next) {
    clearTimeout(timer);
    scopes = next;
    const mine = ++seq;
    region.setAttribute('aria-busy', 'true');
    try {
      const result = await fetchPreview(scopes, days);
      if (mine !== seq) return;
      onScopesError(null);
      show(result);
    } catch (error) {
      if (mine !== seq) return;
      if (error instanceof ApiError && error.field === 'scopes') {
        onScopesError(error);
        replace(body, h('p', { class: 'muted' }, 'The preview returns once every scope is valid.'));
      } else {
        replace(body, notice('error', `The preview could not be computed: ${error.message}`));
      }
    } finally {
      if (mine === seq) region.removeAttribute('aria-busy');
    }
  }

  // Runs after typing pauses, so a person typing a scope sends one request.
  function schedule(next) {
    clearTimeout(timer);
    timer = setTimeout(() => run(next), DEBOUNCE_MS);
  }

  const element = h(
    'div',
    { class: 'preview', id: 'policy-preview' },
    h(
      'div',
      { class: 'preview-head' },
      h('h3', { id: 'preview-title' }, 'What this change would have done'),
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Preview range' }, buttons),
    ),
    region,
  );
  return { element, run, schedule, dispose: () => clearTimeout(timer) };
}
