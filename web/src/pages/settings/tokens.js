import { get, post, del } from '../../api.js';
import { h, replace } from '../../dom.js';
import { notice } from '../../components/notice.js';
import { field } from '../../components/field.js';
import { copyButton } from '../../components/copy-button.js';
import { confirmDialog } from '../../components/confirm-dialog.js';
import { fmtTime } from '../../format.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function tokenState(token) {
  if (token.revoked_at) return h('span', { class: 'badge badge-denied' }, `Revoked ${fmtTime(token.revoked_at)}`);
  if (token.expires_at && Date.parse(token.expires_at) <= Date.now()) return h('span', { class: 'badge badge-denied' }, 'Expired');
  return h('span', { class: 'badge badge-allowed' }, 'Active');
}

// Admins only: the operators' management tokens (Bearer asm_…), each with
// its name, prefix and times, never the secret; a new one's secret is shown
// once; revoking one refuses it from its next request on.
export function tokensAdmin(box) {
  const list = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  const reveal = h('div', { id: 'new-token-box' });
  const status = h('div', { class: 'form-status', id: 'token-status' });
  const name = h('input', { type: 'text', id: 'token-name', maxlength: 100, placeholder: 'deploy script' });
  const days = h('input', { type: 'number', id: 'token-days', min: 1, max: 36500, placeholder: 'never' });
  const form = h(
    'form',
    { id: 'create-token', class: 'inline-form' },
    field('Name', name),
    field('Expires in (days)', days),
    h('button', { type: 'submit', class: 'btn' }, 'Create token'),
  );

  async function act(work) {
    try {
      await work();
    } catch (error) {
      replace(status, notice('error', error.message));
    }
  }

  function showSecret(token, secret) {
    replace(
      reveal,
      h(
        'div',
        { class: 'card reveal', role: 'status' },
        h('h3', null, `Management token ${token.name || token.prefix}`),
        h('p', null, 'Copy it now: it is shown this once. Send it as Authorization: Bearer; it reaches every project.'),
        h(
          'div',
          { class: 'secret-row' },
          h('code', { class: 'secret', id: 'new-token-secret' }, secret),
          copyButton(() => secret, 'Copy token'),
        ),
      ),
    );
  }

  function revokeButton(token) {
    if (token.revoked_at) return null;
    const button = h('button', { type: 'button', class: 'btn btn-small btn-danger' }, 'Revoke');
    button.addEventListener('click', async () => {
      const label = token.name || `${token.prefix}…`;
      if (!(await confirmDialog({ title: `Revoke the token ${label}?`, body: 'Its next request is refused.', confirmLabel: 'Revoke', danger: true }))) return;
      act(async () => {
        await del(`/api/v1/tokens/${encodeURIComponent(token.id)}`);
        replace(reveal);
        replace(status, notice('success', `Revoked the token ${label}.`));
        load();
      });
    });
    return button;
  }

  async function load() {
    let tokens;
    try {
      tokens = (await get('/api/v1/tokens')).tokens || [];
    } catch (error) {
      replace(list, notice('error', `The tokens could not be loaded: ${error.message}`));
      return;
    }
    if (!tokens.length) {
      replace(list, h('p', { class: 'muted', id: 'tokens-empty' }, 'No management token yet.'));
      return;
    }
    replace(
      list,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { id: 'tokens-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Name', 'Token', 'Created', 'Expires', 'State', ''].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            null,
            tokens.map((t) =>
              h(
                'tr',
                { 'data-token-id': t.id },
                h('td', null, t.name || h('span', { class: 'muted' }, '—')),
                h('td', null, h('code', null, `${t.prefix}…`)),
                h('td', { class: 'nowrap' }, fmtTime(t.created_at)),
                h('td', { class: 'nowrap' }, t.expires_at ? fmtTime(t.expires_at) : 'never'),
                h('td', null, tokenState(t)),
                h('td', null, revokeButton(t)),
              ),
            ),
          ),
        ),
      ),
    );
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(async () => {
      const body = {};
      if (name.value.trim()) body.name = name.value.trim();
      if (days.value) body.expires_at = new Date(Date.now() + Number(days.value) * DAY_MS).toISOString();
      const created = await post('/api/v1/tokens', body);
      name.value = '';
      days.value = '';
      replace(status);
      showSecret(created.token, created.management_token);
      load();
    });
  });

  replace(
    box,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'tokens-title' },
      h('h2', { id: 'tokens-title' }, 'Operator tokens'),
      h('p', { class: 'muted' }, 'Management tokens reach every project through the API, like an admin. Revoke one you no longer use.'),
      list,
      reveal,
      form,
      status,
    ),
  );
  load();
}
