import { get, post, patch, del, projectPath, query, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { notice } from '../components/notice.js';
import { field } from '../components/field.js';
import { confirmDialog } from '../components/confirm-dialog.js';
import { policyPreview } from './agents/policy-preview.js';
import { policyHistory } from './agents/policy-history.js';
import { fmtNumber, fmtRelative, fmtDuration } from '../format.js';

const ROLES = ['worker', 'supervisor', 'admin', 'readonly'];

function parseScopes(text) {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

// The textarea line (from 1) of the scope at `index` in parseScopes(text),
// which skips blank lines; null when there is no such scope.
function lineOfScope(text, index) {
  if (index === undefined || index === null) return null;
  let seen = -1;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() && ++seen === index) return i + 1;
  }
  return null;
}

export function renderAgents(main, { project, projectUrl }) {
  let preview = null; // the open editor's preview, which owns a debounce timer
  let disposed = false; // set when the person leaves the page, so late answers touch nothing
  const listBox = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  const editorBox = h('div', { id: 'agent-editor-box' });
  const createName = h('input', { type: 'text', name: 'name', required: true, maxlength: 200, placeholder: 'e.g. SupportBot' });
  const createStatus = h('div', { class: 'form-status' });
  const createForm = h(
    'form',
    { class: 'inline-form', id: 'create-agent' },
    field('New agent', createName, 'Agents also appear here by themselves when their first event arrives.'),
    h('button', { type: 'submit', class: 'btn' }, 'Add agent'),
    createStatus,
  );
  createForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const agent = await post(projectPath(project.id, '/agents'), { name: createName.value.trim() });
      createName.value = '';
      replace(createStatus);
      await load();
      openEditor(agent);
    } catch (error) {
      replace(createStatus, notice('error', error.message));
    }
  });

  replace(
    main,
    h(
      'section',
      { class: 'page page-wide' },
      h('div', { class: 'page-head' }, h('h1', null, 'Agents')),
      h('div', { class: 'agents-layout' }, h('div', null, listBox, createForm), editorBox),
    ),
  );

  async function load() {
    let agents;
    let activity = new Map();
    try {
      agents = (await get(projectPath(project.id, '/agents'))).agents;
    } catch (error) {
      replace(listBox, notice('error', `Agents could not be loaded: ${error.message}`));
      return [];
    }
    try {
      const analytics = await get(projectPath(project.id, '/analytics?days=30'));
      activity = new Map(analytics.agents.map((a) => [a.agent_name, a]));
    } catch {
      /* the list is still useful without activity */
    }
    if (!agents.length) {
      replace(
        listBox,
        h(
          'div',
          { class: 'card empty' },
          h('h2', null, 'No agents yet'),
          h('p', null, 'An agent appears here when its first event reaches the server, or add one below to set its scopes before it runs. '),
          h('p', null, h('a', { href: projectUrl(project.id, 'keys') }, 'Get an API key and a quick-start snippet'), '.'),
        ),
      );
      return agents;
    }
    replace(
      listBox,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { id: 'agents-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Agent', 'Scopes', 'Role', 'Session TTL', 'Events (30 d)', 'Denials', 'Last seen', ''].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            null,
            agents.map((agent) => {
              const a = activity.get(agent.name);
              return h(
                'tr',
                { 'data-agent': agent.name },
                h('th', { scope: 'row' }, agent.name),
                h(
                  'td',
                  null,
                  agent.scopes.length
                    ? h(
                        'div',
                        { class: 'chips' },
                        agent.scopes.slice(0, 6).map((s) => h('code', { class: 'chip' }, s)),
                        agent.scopes.length > 6 ? `+${agent.scopes.length - 6}` : null,
                      )
                    : h('span', { class: 'muted' }, 'none'),
                ),
                h('td', null, agent.role),
                h('td', null, fmtDuration(agent.session_ttl_seconds)),
                h('td', { class: 'num' }, fmtNumber(a ? a.events : 0)),
                h('td', { class: a && a.denials ? 'num bad' : 'num' }, fmtNumber(a ? a.denials : 0)),
                h('td', null, fmtRelative(agent.last_seen_at || (a && a.last_active))),
                h(
                  'td',
                  null,
                  h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Edit ${agent.name}`, onclick: () => openEditor(agent) }, 'Edit'),
                ),
              );
            }),
          ),
        ),
      ),
    );
    return agents;
  }

  function openEditor(agent) {
    closeEditor();
    const scopes = h('textarea', { id: 'agent-scopes', rows: 8, spellcheck: 'false', autocomplete: 'off' });
    scopes.value = agent.scopes.join('\n');
    const scopesError = h('div', { class: 'field-error', id: 'agent-scopes-error' });
    const role = h('input', { type: 'text', id: 'agent-role', list: 'role-choices', value: agent.role, required: true, maxlength: 64 });
    const ttl = h('input', { type: 'number', id: 'agent-ttl', min: 1, step: 1, value: agent.session_ttl_seconds, required: true });
    const status = h('div', { class: 'form-status', id: 'agent-save-status' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
    const remove = h('button', { type: 'button', class: 'btn btn-danger' }, 'Delete agent');
    const close = h('button', { type: 'button', class: 'btn' }, 'Close');
    const agentPath = projectPath(project.id, `/agents/${encodeURIComponent(agent.id)}`);

    // A refusal of the scopes shows under the field, naming the line it is on.
    function showScopesError(error) {
      if (!error) {
        replace(scopesError);
        scopes.removeAttribute('aria-invalid');
        return;
      }
      const line = lineOfScope(scopes.value, error.index);
      replace(scopesError, notice('error', line ? `Line ${line}: ${error.message}` : error.message));
      scopes.setAttribute('aria-invalid', 'true');
    }

    const agentPreview = policyPreview({
      agentName: agent.name,
      fetchPreview: (list, days) => post(`${agentPath}/preview`, { scopes: list, days }),
      onScopesError: showScopesError,
    });
    preview = agentPreview;
    const changes = policyHistory({
      fetchChanges: async () => (await get(`${agentPath}/history`)).changes,
      auditHref: `${projectUrl(project.id, 'audit')}${query({ agent_name: agent.name, action: 'policy_changed' })}`,
    });
    scopes.addEventListener('input', () => agentPreview.schedule(parseScopes(scopes.value)));

    const scopesField = field(
      'Scopes, one per line',
      scopes,
      'Patterns as in the SDK: * matches anything (also across “:”), ? one character, [abc] a set. read:* grants read:orders.',
    );
    scopesField.append(scopesError);
    scopes.setAttribute('aria-describedby', `${scopes.getAttribute('aria-describedby')} ${scopesError.id}`);

    const form = h(
      'form',
      { class: 'card editor', id: 'agent-editor', 'aria-labelledby': 'editor-title' },
      h('h2', { id: 'editor-title' }, `Edit ${agent.name}`),
      scopesField,
      agentPreview.element,
      h(
        'datalist',
        { id: 'role-choices' },
        ROLES.map((r) => h('option', { value: r })),
      ),
      h('div', { class: 'grid-2 tight' }, field('Role', role), field('Session TTL (seconds)', ttl, 'A session older than this denies every check.')),
      status,
      h('div', { class: 'actions' }, remove, close, save),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      save.disabled = true;
      try {
        const updated = await patch(agentPath, {
          scopes: parseScopes(scopes.value),
          role: role.value.trim(),
          session_ttl_seconds: Number(ttl.value),
        });
        Object.assign(agent, updated);
        showScopesError(null);
        replace(status, notice('success', 'Saved. SDKs that fetch their policy from this server pick it up on their next refresh.'));
        await Promise.all([load(), changes.load()]);
      } catch (error) {
        if (error instanceof ApiError && error.field === 'scopes') {
          showScopesError(error);
          replace(status);
        } else replace(status, notice('error', error.message));
      } finally {
        save.disabled = false;
      }
    });
    close.addEventListener('click', closeEditor);
    remove.addEventListener('click', async () => {
      const ok = await confirmDialog({
        title: `Delete ${agent.name}?`,
        body: 'Its scopes, role and TTL go; its events stay in the audit log. If it sends events again it reappears with no scopes.',
        confirmLabel: 'Delete agent',
        danger: true,
      });
      if (!ok) return;
      try {
        await del(agentPath);
        closeEditor();
        await load();
      } catch (error) {
        replace(status, notice('error', error.message));
      }
    });
    replace(editorBox, form, changes.element);
    // The open agent is in the URL, so its page can be bookmarked or shared.
    history.replaceState(null, '', `${location.pathname}${query({ agent: agent.id })}`);
    scopes.focus();
    agentPreview.run(parseScopes(scopes.value));
    changes.load();
  }

  function closeEditor() {
    if (preview) preview.dispose();
    preview = null;
    replace(editorBox);
    if (location.search) history.replaceState(null, '', location.pathname);
  }

  // An agent named in the URL opens once the list has loaded.
  const wanted = new URLSearchParams(location.search).get('agent');
  load().then((agents) => {
    const agent = wanted && agents.find((a) => a.id === wanted);
    if (agent && !disposed) openEditor(agent);
  });
  return {
    dispose: () => {
      disposed = true;
      if (preview) preview.dispose();
    },
  };
}
