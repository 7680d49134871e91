import { get, post, patch, del, projectPath } from '../api.js';
import { h, replace } from '../dom.js';
import { notice } from '../components/notice.js';
import { field } from '../components/field.js';
import { confirmDialog } from '../components/confirm-dialog.js';
import { tierSelect, tierReadOnly, TIER_HINT } from '../components/tier-select.js';
import { navigate } from '../router.js';
import { state, loadProjects, findProject, lastProject } from '../state.js';
import { fmtTime } from '../format.js';
import { webhookSettings } from './settings/webhooks.js';
import { passwordForm } from './settings/password.js';
import { tokensAdmin } from './settings/tokens.js';
import { auditKeySection } from './settings/audit-key.js';
import { retentionField } from './settings/retention.js';

function section(title, id, ...children) {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

function projectSettings(project, box) {
  const name = h('input', { type: 'text', id: 'project-name', value: project.name, required: true, maxlength: 200 });
  // Tiers are an admin's decision: others see the tier and cannot change it.
  const mayChangeTier = state.user.is_admin;
  const tier = mayChangeTier ? tierSelect() : tierReadOnly(project.tier, 'project-tier');
  const custom = String(project.tier.name) === 'custom';
  if (mayChangeTier && custom) tier.append(h('option', { value: String(project.tier.daily_quota) }, `Custom (${project.tier.daily_quota} a day)`));
  if (mayChangeTier) tier.value = custom ? String(project.tier.daily_quota) : project.tier.name;
  const initialTier = tier.value;
  const retention = retentionField(project);
  const status = h('div', { class: 'form-status' });
  const form = h(
    'form',
    { id: 'project-settings' },
    field('Name', name),
    mayChangeTier ? field('Tier', tier) : field('Tier', tier, TIER_HINT),
    retention.element,
    status,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save project')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const changes = { name: name.value.trim() };
      if (mayChangeTier && tier.value !== initialTier) changes.tier = /^\d+$/.test(tier.value) ? Number(tier.value) : tier.value;
      const retentionDays = await retention.change();
      if (retentionDays !== undefined) changes.retention_days = retentionDays;
      await patch(projectPath(project.id), changes);
      await loadProjects();
      replace(status, notice('success', 'Saved.'));
    } catch (error) {
      replace(status, notice('error', error.message));
    }
  });

  const members = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  const memberEmail = h('input', { type: 'email', id: 'member-email', required: true, placeholder: 'colleague@example.com' });
  const memberStatus = h('div', { class: 'form-status' });
  const addMember = h(
    'form',
    { class: 'inline-form' },
    field('Add a member (an existing user)', memberEmail),
    h('button', { type: 'submit', class: 'btn' }, 'Add'),
    memberStatus,
  );
  async function loadMembers() {
    try {
      const list = (await get(projectPath(project.id, '/members'))).members;
      replace(
        members,
        h(
          'ul',
          { class: 'plain-list', id: 'members' },
          list.map((u) =>
            h(
              'li',
              null,
              h('span', null, u.email, u.is_admin ? ' (admin)' : ''),
              u.id === state.user.id
                ? h('span', { class: 'muted' }, 'you')
                : h(
                    'button',
                    {
                      type: 'button',
                      class: 'btn btn-small',
                      onclick: async () => {
                        if (!(await confirmDialog({ title: `Remove ${u.email} from ${project.name}?`, confirmLabel: 'Remove', danger: true }))) return;
                        try {
                          await del(projectPath(project.id, `/members/${encodeURIComponent(u.id)}`));
                          loadMembers();
                        } catch (error) {
                          replace(memberStatus, notice('error', error.message));
                        }
                      },
                    },
                    'Remove',
                  ),
            ),
          ),
        ),
      );
    } catch (error) {
      replace(members, notice('error', error.message));
    }
  }
  addMember.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await post(projectPath(project.id, '/members'), { email: memberEmail.value.trim() });
      memberEmail.value = '';
      replace(memberStatus);
      loadMembers();
    } catch (error) {
      replace(memberStatus, notice('error', error.status === 404 ? 'No user has this email. An admin creates users first.' : error.message));
    }
  });

  const deleteButton = h('button', { type: 'button', class: 'btn btn-danger', id: 'delete-project' }, 'Delete project…');
  const deleteStatus = h('div', { class: 'form-status' });
  deleteButton.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: `Delete ${project.name}?`,
      body: 'Its keys, agents and every event go, for good.',
      confirmLabel: 'Delete project',
      danger: true,
      typeToConfirm: project.name,
    });
    if (!ok) return;
    try {
      await del(projectPath(project.id), { confirm: project.name });
      await loadProjects();
      navigate('/');
    } catch (error) {
      replace(deleteStatus, notice('error', error.message));
    }
  });

  replace(
    box,
    section(`Project “${project.name}”`, 'project-title', form),
    section(
      'Members',
      'members-title',
      h('p', { class: 'muted' }, 'Members see and change everything in this project; nobody else sees it.'),
      members,
      addMember,
    ),
    webhookSettings(project),
    section('Danger zone', 'danger-title', h('p', null, 'Deleting a project removes its keys, agents and events.'), deleteStatus, deleteButton),
  );
  loadMembers();
}

function usersAdmin(box) {
  const list = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  const email = h('input', { type: 'email', id: 'new-user-email', required: true });
  const password = h('input', { type: 'password', id: 'new-user-password', required: true, minlength: 10, autocomplete: 'new-password' });
  const admin = h('input', { type: 'checkbox', id: 'new-user-admin' });
  const status = h('div', { class: 'form-status' });
  const form = h(
    'form',
    { id: 'create-user' },
    h('div', { class: 'grid-2 tight' }, field('Email', email), field('Initial password', password, 'At least 10 characters; share it privately.')),
    h('label', { class: 'check' }, admin, ' Administrator (manages users)'),
    status,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, 'Create user')),
  );
  async function load() {
    try {
      const users = (await get('/api/v1/users')).users;
      replace(
        list,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { id: 'users-table' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['Email', 'Role', 'Created', ''].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              null,
              users.map((u) =>
                h(
                  'tr',
                  null,
                  h('td', null, u.email),
                  h('td', null, u.is_admin ? 'admin' : 'user'),
                  h('td', null, fmtTime(u.created_at)),
                  h(
                    'td',
                    null,
                    u.id === state.user.id
                      ? h('span', { class: 'muted' }, 'you')
                      : h(
                          'button',
                          {
                            type: 'button',
                            class: 'btn btn-small btn-danger',
                            onclick: async () => {
                              if (
                                !(await confirmDialog({
                                  title: `Delete user ${u.email}?`,
                                  body: 'They lose access to every project at once.',
                                  confirmLabel: 'Delete user',
                                  danger: true,
                                }))
                              )
                                return;
                              try {
                                await del(`/api/v1/users/${encodeURIComponent(u.id)}`);
                                load();
                              } catch (error) {
                                replace(status, notice('error', error.message));
                              }
                            },
                          },
                          'Delete',
                        ),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      replace(list, notice('error', error.message));
    }
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await post('/api/v1/users', { email: email.value.trim(), password: password.value, is_admin: admin.checked });
      email.value = '';
      password.value = '';
      admin.checked = false;
      replace(status, notice('success', 'User created. Add them to projects from each project’s members.'));
      load();
    } catch (error) {
      replace(status, notice('error', error.message));
    }
  });
  replace(box, section('Users', 'users-title', list, form));
  load();
}

export function renderSettings(main, { logout }) {
  document.title = 'Settings · AgentSudo';
  const serverBox = h('div');
  const projectBox = h('div');
  const usersBox = h('div');
  const tokensBox = h('div');
  replace(
    main,
    h(
      'section',
      { class: 'page' },
      h('h1', null, 'Settings'),
      section(
        'Account',
        'account-title',
        h(
          'dl',
          { class: 'facts' },
          h('dt', null, 'Email'),
          h('dd', { id: 'account-email' }, state.user.email),
          h('dt', null, 'Role'),
          h('dd', null, state.user.is_admin ? 'Administrator' : 'User'),
          h('dt', null, 'Since'),
          h('dd', null, fmtTime(state.user.created_at)),
        ),
        serverBox,
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: logout }, 'Log out')),
        passwordForm(),
      ),
      projectBox,
      auditKeySection(),
      usersBox,
      tokensBox,
    ),
  );
  get('/api/v1/server')
    .then((info) => {
      replace(
        serverBox,
        h('p', { class: 'muted' }, `Server ${info.version}. `),
        info.secure_cookies || location.protocol === 'https:'
          ? null
          : notice(
              'info',
              'Session cookies are sent without the Secure flag. Behind HTTPS, start the server with --secure-cookies (or AGENTSUDO_SECURE_COOKIES=1).',
            ),
      );
    })
    .catch(() => {});
  const project = findProject(lastProject()) || state.projects[0];
  if (project) projectSettings(project, projectBox);
  if (state.user.is_admin) {
    usersAdmin(usersBox);
    tokensAdmin(tokensBox);
  }
  return {};
}
