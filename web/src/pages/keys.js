import { get, post, del, projectPath } from '../api.js';
import { h, replace } from '../dom.js';
import { takeNewKey } from '../state.js';
import { notice } from '../components/notice.js';
import { copyButton } from '../components/copy-button.js';
import { confirmDialog } from '../components/confirm-dialog.js';
import { quickStart } from '../components/quick-start.js';
import { fmtTime, fmtRelative } from '../format.js';

export function renderKeys(main, { project }) {
  const revealBox = h('div', { id: 'new-key-box' });
  const listBox = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  const snippetBox = h('div');
  const status = h('div', { class: 'form-status' });
  const create = h('button', { type: 'button', class: 'btn btn-primary', id: 'create-key' }, 'Create API key');

  replace(
    main,
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', null, 'API keys'), h('div', { class: 'page-tools' }, create)),
      h('p', { class: 'muted' }, 'Ingest keys (as_…) can only send events: they never read or manage anything. The server keeps only their hashes.'),
      status,
      revealBox,
      listBox,
      snippetBox,
    ),
  );

  // The quick-starts carry the key revealed on this page, else a placeholder.
  let revealedKey = null;

  function reveal(apiKey, title) {
    revealedKey = apiKey;
    const keyText = h('code', { class: 'secret', id: 'new-api-key' }, apiKey);
    replace(
      revealBox,
      h(
        'div',
        { class: 'card reveal', role: 'status' },
        h('h2', null, title),
        h('p', null, 'Copy it now: it is shown this once and cannot be recovered. Store it where your agent reads its configuration.'),
        h(
          'div',
          { class: 'secret-row' },
          keyText,
          copyButton(() => apiKey, 'Copy key'),
        ),
      ),
    );
    replace(snippetBox, quickStart(apiKey));
  }

  async function load() {
    let keys;
    try {
      keys = (await get(projectPath(project.id, '/keys'))).keys;
    } catch (error) {
      replace(listBox, notice('error', `Keys could not be loaded: ${error.message}`));
      return;
    }
    if (!revealedKey) replace(snippetBox, quickStart('YOUR_API_KEY'));
    if (!keys.length) {
      replace(
        listBox,
        h('div', { class: 'card empty' }, h('h2', null, 'No API keys'), h('p', null, 'Create a key, then send your first event with the cURL line below.')),
      );
      return;
    }
    replace(
      listBox,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { id: 'keys-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Key', 'Created', 'Last used', 'Status', ''].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            null,
            keys.map((k) =>
              h(
                'tr',
                { 'data-key-id': k.id, 'data-prefix': k.prefix, class: k.revoked_at ? 'muted' : '' },
                h('td', null, h('code', null, `${k.prefix}…`)),
                h('td', null, fmtTime(k.created_at)),
                h('td', null, k.last_used_at ? fmtRelative(k.last_used_at) : 'never'),
                h(
                  'td',
                  null,
                  k.revoked_at
                    ? h('span', { class: 'badge badge-denied' }, `Revoked ${fmtRelative(k.revoked_at)}`)
                    : h('span', { class: 'badge badge-allowed' }, 'Active'),
                ),
                h(
                  'td',
                  { class: 'row-actions' },
                  k.revoked_at
                    ? null
                    : [
                        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Rotate key ${k.prefix}`, onclick: () => rotate(k) }, 'Rotate'),
                        h(
                          'button',
                          { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Revoke key ${k.prefix}`, onclick: () => revoke(k) },
                          'Revoke',
                        ),
                      ],
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  async function rotate(k) {
    const ok = await confirmDialog({
      title: `Rotate key ${k.prefix}…?`,
      body: 'A new key is issued and this one stops working at once. Agents using it get 401 until they have the new key.',
      confirmLabel: 'Rotate',
    });
    if (!ok) return;
    try {
      const created = await post(projectPath(project.id, `/keys/${encodeURIComponent(k.id)}/rotate`));
      reveal(created.api_key, 'Your new API key');
      await load();
    } catch (error) {
      replace(status, notice('error', error.message));
    }
  }

  async function revoke(k) {
    const ok = await confirmDialog({
      title: `Revoke key ${k.prefix}…?`,
      body: 'Ingestion with this key is refused at once. This cannot be undone.',
      confirmLabel: 'Revoke key',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(projectPath(project.id, `/keys/${encodeURIComponent(k.id)}`));
      replace(status, notice('success', `Key ${k.prefix}… is revoked.`));
      await load();
    } catch (error) {
      replace(status, notice('error', error.message));
    }
  }

  create.addEventListener('click', async () => {
    create.disabled = true;
    try {
      const created = await post(projectPath(project.id, '/keys'));
      reveal(created.api_key, 'Your new API key');
      await load();
    } catch (error) {
      replace(status, notice('error', error.message));
    } finally {
      create.disabled = false;
    }
  });

  const firstKey = takeNewKey(project.id);
  if (firstKey) reveal(firstKey, `Project “${project.name}” is ready: here is its first API key`);
  load();
  return {};
}
