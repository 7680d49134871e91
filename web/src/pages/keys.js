import { get, post, del, projectPath } from '../api.js';
import { h, replace, notice, copyButton, confirmDialog } from '../dom.js';
import { fmtTime, fmtRelative } from '../format.js';

// A key just created is held in memory only, to show it once on this page.
let pendingKey = null;

export function rememberNewKey(projectId, apiKey, key) {
  pendingKey = { projectId, apiKey, key };
}

export function quickStartCurl(origin, apiKey) {
  const body = JSON.stringify({ agent_name: 'SupportBot', action: 'permission_check', scope: 'read:orders', allowed: true, function_name: 'get_order' });
  return `curl -X POST ${origin}/ingest-event \\\n  -H "Content-Type: application/json" \\\n  -H "X-API-Key: ${apiKey}" \\\n  -d '${body}'`;
}

export function quickStartPython(origin, apiKey) {
  return `# pip install agentsudo
# The official Python SDK sends its batches to {endpoint}/api/events:
# point its endpoint at this server and nothing else changes.
from agentsudo import configure_cloud

configure_cloud(
    api_key="${apiKey}",  # or set AGENTSUDO_API_KEY
    endpoint="${origin}",
)
# Every guarded call now reports its decision to this dashboard.`;
}

export function quickStartCpp(origin, apiKey) {
  return `// Link with agentsudo (find_package(agentsudo) or pkg-config agentsudo).
#include <agentsudo/telemetry.hpp>

int main() {
  agentsudo::configure_cloud({
      .api_key = "${apiKey}",  // or set AGENTSUDO_API_KEY
      .endpoint = "${origin}",
  });
  // ... guarded calls send their decisions in the background ...
  agentsudo::flush_telemetry();
}`;
}

function snippets(apiKey) {
  const origin = location.origin;
  const tabs = [
    { id: 'curl', label: 'cURL', text: quickStartCurl(origin, apiKey) },
    { id: 'python', label: 'Python SDK', text: quickStartPython(origin, apiKey) },
    { id: 'cpp', label: 'C++ SDK', text: quickStartCpp(origin, apiKey) },
  ];
  const panels = tabs.map((t, i) =>
    h(
      'div',
      { class: 'snippet', role: 'tabpanel', id: `snippet-${t.id}`, 'aria-labelledby': `tab-${t.id}`, hidden: i !== 0 },
      h('div', { class: 'snippet-head' }, copyButton(() => t.text, `Copy ${t.label}`)),
      h('pre', { class: 'code' }, t.text),
    ),
  );
  const buttons = tabs.map((t, i) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `snippet-${t.id}`, 'aria-selected': String(i === 0), tabindex: i === 0 ? '0' : '-1' }, t.label),
  );
  function select(index) {
    buttons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(i === index));
      b.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
    buttons[index].focus();
  }
  buttons.forEach((b, i) => {
    b.addEventListener('click', () => select(i));
    b.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight') select((i + 1) % buttons.length);
      if (e.key === 'ArrowLeft') select((i + buttons.length - 1) % buttons.length);
    });
  });
  return h('section', { class: 'card', 'aria-labelledby': 'quickstart-title' }, h('h2', { id: 'quickstart-title' }, 'Quick start'), h('div', { class: 'tablist', role: 'tablist', 'aria-label': 'Language' }, buttons), panels);
}

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
        h('div', { class: 'secret-row' }, keyText, copyButton(() => apiKey, 'Copy key')),
      ),
    );
    replace(snippetBox, snippets(apiKey));
  }

  async function load() {
    let keys;
    try {
      keys = (await get(projectPath(project.id, '/keys'))).keys;
    } catch (error) {
      replace(listBox, notice('error', `Keys could not be loaded: ${error.message}`));
      return;
    }
    if (!revealedKey) replace(snippetBox, snippets('YOUR_API_KEY'));
    if (!keys.length) {
      replace(listBox, h('div', { class: 'card empty' }, h('h2', null, 'No API keys'), h('p', null, 'Create a key, then send your first event with the cURL line below.')));
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
          h('thead', null, h('tr', null, ['Key', 'Created', 'Last used', 'Status', ''].map((c) => h('th', { scope: 'col' }, c)))),
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
                h('td', null, k.revoked_at ? h('span', { class: 'badge badge-denied' }, `Revoked ${fmtRelative(k.revoked_at)}`) : h('span', { class: 'badge badge-allowed' }, 'Active')),
                h(
                  'td',
                  { class: 'row-actions' },
                  k.revoked_at
                    ? null
                    : [
                        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Rotate key ${k.prefix}`, onclick: () => rotate(k) }, 'Rotate'),
                        h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Revoke key ${k.prefix}`, onclick: () => revoke(k) }, 'Revoke'),
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

  if (pendingKey && pendingKey.projectId === project.id) {
    reveal(pendingKey.apiKey, `Project “${project.name}” is ready: here is its first API key`);
    pendingKey = null;
  }
  load();
  return {};
}
