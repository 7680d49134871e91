import { h } from '../../dom.js';
import { fmtTime } from '../../format.js';

const DEFAULT_MINUTES = 15;

function fact(label, value) {
  return value ? [h('dt', null, label), h('dd', null, value)] : null;
}

// One pending request as a person decides it: what the agent asked for and
// why it was refused, how long ago and how long is left (the page's ticker
// keeps the [data-since] and [data-until] texts current), and the three
// decisions. `decide(kind, body)` sends one ('approve' or 'deny') and
// resolves true when the server took it.
export function approvalCard(approval, { selected = false, decide }) {
  const id = approval.id;
  const reason = h('input', { type: 'text', id: `reason-${id}`, maxlength: 500, autocomplete: 'off', placeholder: 'Optional; kept with the decision' });
  const minutes = h('input', { type: 'number', id: `minutes-${id}`, class: 'minutes', min: 1, max: 1440, step: 1, value: DEFAULT_MINUTES });
  const once = h('button', { type: 'button', class: 'btn btn-primary' }, 'Approve once');
  const forMinutes = h('button', { type: 'button', class: 'btn' }, `Approve for ${DEFAULT_MINUTES} min`);
  const deny = h('button', { type: 'button', class: 'btn btn-danger' }, 'Deny');
  const buttons = [once, forMinutes, deny];

  const validMinutes = () => Number.isInteger(Number(minutes.value)) && Number(minutes.value) >= 1 && Number(minutes.value) <= 1440;
  minutes.addEventListener('input', () => {
    forMinutes.textContent = validMinutes() ? `Approve for ${Number(minutes.value)} min` : 'Approve for 1–1440 min';
    forMinutes.disabled = !validMinutes();
  });

  async function send(kind, extra) {
    buttons.forEach((b) => (b.disabled = true));
    const text = reason.value.trim();
    const done = await decide(kind, { ...(text ? { reason: text } : {}), ...extra });
    if (!done) buttons.forEach((b) => (b.disabled = card.classList.contains('approval-expired')));
  }
  once.addEventListener('click', () => send('approve', {}));
  forMinutes.addEventListener('click', () => validMinutes() && send('approve', { for_minutes: Number(minutes.value) }));
  deny.addEventListener('click', () => send('deny', {}));

  const title = `approval-title-${id}`;
  const card = h(
    'article',
    {
      class: `card approval${selected ? ' approval-selected' : ''}`,
      'data-approval-id': id,
      'aria-labelledby': title,
      'aria-current': selected ? 'true' : null,
    },
    h(
      'div',
      { class: 'approval-head' },
      h('h3', { id: title }, h('span', { class: 'approval-agent' }, approval.agent_name), ' asks for ', h('code', null, approval.scope)),
      h(
        'p',
        { class: 'approval-times' },
        'Asked ',
        h('time', { datetime: approval.requested_at, title: fmtTime(approval.requested_at), 'data-since': approval.requested_at }, ''),
        ' · ',
        h('strong', { class: 'time-left', 'data-until': approval.expires_at, title: `Expires ${fmtTime(approval.expires_at)}` }, ''),
      ),
    ),
    h(
      'dl',
      { class: 'facts approval-facts' },
      fact('Function', approval.function_name ? h('code', null, approval.function_name) : null),
      fact('Refused because', approval.denial_reason),
      fact('Preview', approval.preview ? h('pre', { class: 'approval-preview' }, approval.preview) : null),
      fact('Arguments digest', approval.args_digest ? h('code', { title: approval.args_digest }, `${approval.args_digest.slice(0, 16)}…`) : null),
    ),
    h(
      'div',
      { class: 'approval-decide' },
      h('div', { class: 'field' }, h('label', { for: reason.id }, 'Reason'), reason),
      h(
        'div',
        { class: 'approval-buttons' },
        once,
        h('span', { class: 'approval-for' }, h('label', { class: 'offscreen', for: minutes.id }, 'Minutes the agent keeps the scope'), minutes, forMinutes),
        deny,
      ),
    ),
  );
  return card;
}

// Marks a card whose time ran out: it stays readable but cannot be decided.
export function expireCard(card) {
  if (card.classList.contains('approval-expired')) return;
  card.classList.add('approval-expired');
  card.querySelectorAll('button, input').forEach((el) => (el.disabled = true));
}
