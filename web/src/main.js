import './style.css';
import { get, del, setUnauthorizedHandler, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { notice } from './components/notice.js';
import { match, navigate, onNavigate } from './router.js';
import { state, signedIn, signedOut, loadProjects, findProject, rememberProject, lastProject } from './state.js';
import { renderLogin } from './pages/login.js';
import { renderSetup } from './pages/setup.js';
import { renderProjects } from './pages/projects.js';
import { renderOverview } from './pages/overview.js';
import { renderLive } from './pages/live.js';
import { renderAgents } from './pages/agents.js';
import { renderAudit } from './pages/audit.js';
import { renderKeys } from './pages/keys.js';
import { renderUsage } from './pages/usage.js';
import { renderSettings } from './pages/settings.js';
import { renderApprovals } from './pages/approvals.js';
import { renderApprovalLink } from './pages/approvals/approval-link.js';
import { followPending, pendingBadge } from './pending-approvals.js';

const root = document.getElementById('app');
let current = null; // the page shown: { dispose? }
let renderSeq = 0;

const PROJECT_PAGES = [
  { slug: 'overview', title: 'Overview', render: renderOverview },
  { slug: 'live', title: 'Live activity', render: renderLive },
  { slug: 'approvals', title: 'Approvals', render: renderApprovals },
  { slug: 'agents', title: 'Agents', render: renderAgents },
  { slug: 'audit', title: 'Audit log', render: renderAudit },
  { slug: 'keys', title: 'API keys', render: renderKeys },
  { slug: 'usage', title: 'Usage', render: renderUsage },
];

export function projectUrl(projectId, slug = 'overview') {
  return `/projects/${encodeURIComponent(projectId)}/${slug}`;
}

function dispose() {
  if (current && current.dispose) current.dispose();
  current = null;
}

async function logout() {
  try {
    await del('/api/v1/session');
  } catch {
    /* the session is gone either way */
  }
  signedOut();
  followPending(null);
  navigate('/login');
}

function projectSwitcher(activeId, slug) {
  const select = h(
    'select',
    { id: 'project-switcher', 'aria-label': 'Project' },
    state.projects.map((p) => h('option', { value: p.id, selected: p.id === activeId }, p.name)),
    h('option', { value: '__new' }, '+ New project…'),
  );
  if (!activeId) select.prepend(h('option', { value: '', selected: true, disabled: true }, 'Choose a project'));
  select.addEventListener('change', () => {
    if (select.value === '__new') navigate('/projects');
    else navigate(projectUrl(select.value, slug || 'overview'));
  });
  return select;
}

function shell(main, { projectId = null, slug = null } = {}) {
  // The pending count follows the project whose pages are shown, on every one of them.
  followPending(projectId);
  const nav = projectId
    ? h(
        'nav',
        { class: 'tabs', 'aria-label': 'Project pages' },
        PROJECT_PAGES.map((page) =>
          h(
            'a',
            { href: projectUrl(projectId, page.slug), 'aria-current': page.slug === slug ? 'page' : null },
            page.title,
            page.slug === 'approvals' ? pendingBadge() : null,
          ),
        ),
      )
    : null;
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '/' }, h('img', { src: '/favicon.svg', alt: '', width: 24, height: 24 }), h('span', null, 'AgentSudo')),
    projectSwitcher(projectId, slug),
    h(
      'div',
      { class: 'topbar-right' },
      h('a', { href: '/settings', class: 'topbar-link', 'aria-current': slug === 'settings' ? 'page' : null }, 'Settings'),
      h('span', { class: 'user-email', title: state.user.email }, state.user.email),
      h('button', { type: 'button', class: 'btn btn-small', id: 'logout', onclick: logout }, 'Log out'),
    ),
  );
  return h('div', { class: 'layout' }, header, nav, h('main', { id: 'main', tabindex: '-1' }, main));
}

async function ensureSession() {
  if (state.user) return true;
  try {
    signedIn(await get('/api/v1/session', { quiet401: true }));
    await loadProjects();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return false;
    throw error;
  }
}

async function route() {
  const seq = ++renderSeq;
  dispose();
  const path = location.pathname.replace(/\/+$/, '') || '/';

  if (path === '/setup') {
    current = renderSetup(root, { onDone: afterSignIn });
    return;
  }
  if (path === '/login') {
    if (await ensureSession()) return navigate('/', { replace: true });
    if (seq !== renderSeq) return;
    current = renderLogin(root, { onDone: afterSignIn });
    return;
  }
  if (!(await ensureSession())) {
    const next = location.pathname + location.search;
    return navigate(`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, { replace: true });
  }
  if (seq !== renderSeq) return;

  if (path === '/') {
    const remembered = lastProject();
    const target = findProject(remembered) || state.projects[0];
    return navigate(target ? projectUrl(target.id) : '/projects', { replace: true });
  }
  if (path === '/projects') {
    const main = h('div');
    replace(root, shell(main, { slug: 'projects' }));
    current = renderProjects(main, { projectUrl });
    return;
  }
  // Webhook messages link here with only the request's id.
  if (path === '/approvals') {
    const main = h('div');
    replace(root, shell(main, { slug: 'approvals' }));
    current = renderApprovalLink(main, { projectUrl });
    return;
  }
  if (path === '/settings') {
    const main = h('div');
    replace(root, shell(main, { projectId: findProject(lastProject())?.id || null, slug: 'settings' }));
    current = renderSettings(main, { logout, projectUrl });
    return;
  }
  const params = match('/projects/:id/:slug', path);
  if (params) {
    // A project shared with this user since the list was loaded.
    if (!findProject(params.id)) await loadProjects().catch(() => {});
    if (seq !== renderSeq) return;
    const project = findProject(params.id);
    const page = PROJECT_PAGES.find((p) => p.slug === params.slug);
    if (project && page) {
      rememberProject(project.id);
      const main = h('div');
      replace(root, shell(main, { projectId: project.id, slug: page.slug }));
      document.title = `${page.title} · ${project.name} · AgentSudo`;
      current = page.render(main, { project, projectUrl });
      return;
    }
  }
  const main = h(
    'section',
    { class: 'page' },
    h('h1', null, 'Not found'),
    notice('info', 'This page does not exist, or the project is not one of yours. ', h('a', { href: '/' }, 'Back to the dashboard')),
  );
  replace(root, shell(main));
}

async function afterSignIn(session) {
  signedIn(session);
  await loadProjects();
  const next = new URLSearchParams(location.search).get('next');
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
}

setUnauthorizedHandler(() => {
  signedOut();
  followPending(null);
  if (location.pathname !== '/login' && location.pathname !== '/setup') navigate('/login', { replace: true });
});

onNavigate(() => {
  route().catch(showFatal);
  // Keyboard users land on the new content.
  requestAnimationFrame(() => document.getElementById('main')?.focus({ preventScroll: true }));
});

function showFatal(error) {
  console.error(error);
  replace(root, h('main', { class: 'page narrow', id: 'main' }, h('h1', null, 'Something went wrong'), notice('error', error.message || String(error))));
}

route().catch(showFatal);

export { logout };
