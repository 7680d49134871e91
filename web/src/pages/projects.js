import { post } from '../api.js';
import { h, replace } from '../dom.js';
import { notice } from '../components/notice.js';
import { field } from '../components/field.js';
import { tierSelect, tierReadOnly, TIER_HINT } from '../components/tier-select.js';
import { navigate } from '../router.js';
import { state, loadProjects, rememberNewKey } from '../state.js';
import { fmtNumber, fmtTime } from '../format.js';

export function renderProjects(main, { projectUrl }) {
  document.title = 'Projects · AgentSudo';
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200, placeholder: 'e.g. support-bots' });
  // Anyone may start a free project; other tiers are an admin's decision.
  const mayChooseTier = state.user.is_admin;
  const tier = mayChooseTier ? tierSelect() : tierReadOnly({ name: 'free', daily_quota: 1000 }, 'new-project-tier');
  const status = h('div', { class: 'form-status' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create project');
  const form = h(
    'form',
    { class: 'card', id: 'create-project' },
    h('h2', null, 'New project'),
    field('Name', name),
    mayChooseTier ? field('Tier', tier) : field('Tier', tier, TIER_HINT),
    status,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const body = { name: name.value.trim() };
      if (mayChooseTier) body.tier = tier.value;
      const created = await post('/api/v1/projects', body);
      await loadProjects();
      // The first key is shown once, on the keys page.
      rememberNewKey(created.project.id, created.api_key);
      navigate(projectUrl(created.project.id, 'keys'));
    } catch (error) {
      replace(status, notice('error', error.message));
    } finally {
      submit.disabled = false;
    }
  });
  const list = state.projects.length
    ? h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          null,
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Project'), h('th', { scope: 'col' }, 'Tier'), h('th', { scope: 'col' }, 'Created'))),
          h(
            'tbody',
            null,
            state.projects.map((p) =>
              h(
                'tr',
                null,
                h('td', null, h('a', { href: projectUrl(p.id) }, p.name)),
                h('td', null, `${p.tier.name} · ${fmtNumber(p.tier.daily_quota)}/day`),
                h('td', null, fmtTime(p.created_at)),
              ),
            ),
          ),
        ),
      )
    : notice('info', 'You are not a member of any project yet. Create one below: it comes with its first API key.');
  replace(main, h('section', { class: 'page' }, h('h1', null, 'Projects'), list, form));
  if (!state.projects.length) name.focus();
  return {};
}
