import { get, post, del, projectPath } from '../../api.js';
import { h, replace } from '../../dom.js';
import { notice } from '../../components/notice.js';
import { field } from '../../components/field.js';
import { copyButton } from '../../components/copy-button.js';
import { confirmDialog } from '../../components/confirm-dialog.js';
import { fmtTime } from '../../format.js';

const FORMATS = { json: 'Signed JSON', slack: 'Slack-compatible' };

function deliveryOutcome(d) {
  if (d.delivered_at) return h('span', { class: 'badge badge-allowed' }, 'Delivered');
  if (d.next_attempt_at) return h('span', { class: 'badge badge-pending' }, 'Retrying');
  return h('span', { class: 'badge badge-denied' }, 'Gave up');
}

// The log of one webhook's notifications, newest first.
async function deliveryLog(projectId, webhook, box) {
  replace(box, h('p', { class: 'loading' }, 'Loading…'));
  let deliveries;
  try {
    deliveries = (await get(projectPath(projectId, `/webhooks/${encodeURIComponent(webhook.id)}/deliveries`))).deliveries || [];
  } catch (error) {
    replace(box, notice('error', `The deliveries could not be loaded: ${error.message}`));
    return;
  }
  if (!deliveries.length) {
    replace(box, h('p', { class: 'muted' }, 'Nothing sent yet. Send a test to see one here.'));
    return;
  }
  replace(
    box,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'deliveries', 'aria-label': `Deliveries to ${webhook.url}` },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['Type', 'Outcome', 'Attempts', 'Last status', 'Last error', 'Delivered', 'Queued'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          null,
          deliveries.map((d) =>
            h(
              'tr',
              { 'data-delivery-id': d.id },
              h('td', null, h('code', null, d.type)),
              h('td', null, deliveryOutcome(d)),
              h('td', { class: 'num' }, String(d.attempts ?? 0)),
              h('td', { class: 'num' }, d.last_status ? String(d.last_status) : '—'),
              h('td', { class: 'delivery-error' }, d.last_error || '—'),
              h('td', { class: 'nowrap' }, d.delivered_at ? fmtTime(d.delivered_at) : d.next_attempt_at ? `next try ${fmtTime(d.next_attempt_at)}` : '—'),
              h('td', { class: 'nowrap' }, fmtTime(d.created_at)),
            ),
          ),
        ),
      ),
    ),
  );
}

// A project's webhooks: where the server POSTs each approval request and
// decision, each with its signing secret (shown once) and its delivery log.
export function webhookSettings(project) {
  const list = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  const reveal = h('div', { id: 'new-webhook-box' });
  const status = h('div', { class: 'form-status', id: 'webhook-status' });
  const url = h('input', { type: 'url', id: 'webhook-url', required: true, placeholder: 'https://example.com/agentsudo', maxlength: 2048 });
  const format = h(
    'select',
    { id: 'webhook-format' },
    Object.entries(FORMATS).map(([value, label]) => h('option', { value }, label)),
  );
  const form = h(
    'form',
    { id: 'add-webhook', class: 'inline-form' },
    field('URL', url),
    field('Format', format),
    h('button', { type: 'submit', class: 'btn' }, 'Add webhook'),
  );

  function showSecret(hookUrl, secret) {
    replace(
      reveal,
      h(
        'div',
        { class: 'card reveal', role: 'status' },
        h('h3', null, `Signing secret for ${hookUrl}`),
        h('p', null, 'Copy it now: it is shown this once. Your receiver checks each AgentSudo-Signature header with it.'),
        h(
          'div',
          { class: 'secret-row' },
          h('code', { class: 'secret', id: 'new-webhook-secret' }, secret),
          copyButton(() => secret, 'Copy secret'),
        ),
      ),
    );
  }

  async function act(work) {
    try {
      await work();
    } catch (error) {
      replace(status, notice('error', error.message));
    }
  }

  function webhookRow(webhook) {
    const logBox = h('div', { class: 'delivery-log', hidden: true });
    const logButton = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false' }, 'Deliveries');
    logButton.addEventListener('click', () => {
      const open = logBox.hidden;
      logBox.hidden = !open;
      logButton.setAttribute('aria-expanded', String(open));
      if (open) deliveryLog(project.id, webhook, logBox);
    });
    const test = h('button', { type: 'button', class: 'btn btn-small' }, 'Send test');
    test.addEventListener('click', () =>
      act(async () => {
        await post(projectPath(project.id, `/webhooks/${encodeURIComponent(webhook.id)}/test`));
        replace(status, notice('success', `A test notification is on its way to ${webhook.url}.`));
        logBox.hidden = false;
        logButton.setAttribute('aria-expanded', 'true');
        deliveryLog(project.id, webhook, logBox);
      }),
    );
    const remove = h('button', { type: 'button', class: 'btn btn-small btn-danger' }, 'Delete');
    remove.addEventListener('click', async () => {
      if (!(await confirmDialog({ title: `Delete the webhook to ${webhook.url}?`, body: 'Nothing more is sent to it.', confirmLabel: 'Delete', danger: true })))
        return;
      act(async () => {
        await del(projectPath(project.id, `/webhooks/${encodeURIComponent(webhook.id)}`));
        replace(reveal);
        replace(status, notice('success', `Deleted the webhook to ${webhook.url}.`));
        load();
      });
    });
    return h(
      'li',
      { class: 'webhook', 'data-webhook-id': webhook.id },
      h(
        'div',
        { class: 'webhook-head' },
        h('span', { class: 'webhook-url' }, webhook.url),
        h('span', { class: 'chip' }, FORMATS[webhook.format] || webhook.format),
        h('code', { class: 'webhook-secret', title: 'The start of its signing secret' }, webhook.secret_prefix ? `${webhook.secret_prefix}…` : 'secret hidden'),
        h('span', { class: 'muted' }, `added ${fmtTime(webhook.created_at)}`),
        h('span', { class: 'row-actions' }, test, logButton, remove),
      ),
      logBox,
    );
  }

  async function load() {
    let webhooks;
    try {
      webhooks = (await get(projectPath(project.id, '/webhooks'))).webhooks || [];
    } catch (error) {
      replace(list, notice('error', `The webhooks could not be loaded: ${error.message}`));
      return;
    }
    replace(
      list,
      webhooks.length
        ? h('ul', { class: 'plain-list webhooks', id: 'webhooks' }, webhooks.map(webhookRow))
        : h('p', { class: 'muted', id: 'webhooks-empty' }, 'No webhook yet: approvals are seen only here in the dashboard.'),
    );
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(async () => {
      const created = await post(projectPath(project.id, '/webhooks'), { url: url.value.trim(), format: format.value });
      url.value = '';
      replace(status);
      showSecret(created.webhook.url, created.secret);
      load();
    });
  });
  load();

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'webhooks-title' },
    h('h2', { id: 'webhooks-title' }, 'Webhooks'),
    h(
      'p',
      { class: 'muted' },
      'On each approval request and decision the server POSTs to these URLs, signed with the webhook’s secret; Slack-compatible ones get a message with a link to the request instead.',
    ),
    list,
    reveal,
    form,
    status,
  );
}
