import { get, post, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { notice } from '../components/notice.js';
import { field } from '../components/field.js';

export function renderLogin(root, { onDone }) {
  document.title = 'Log in · AgentSudo';
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { class: 'form-status' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Log in');
  const setupHint = h('div');
  const form = h(
    'form',
    { class: 'card auth-card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in to AgentSudo'),
    setupHint,
    field('Email', email),
    field('Password', password),
    status,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(status);
    try {
      const session = await post('/api/v1/session', { email: email.value.trim(), password: password.value }, { quiet401: true });
      await onDone(session);
    } catch (error) {
      let message = error.message;
      if (error instanceof ApiError && error.status === 401) message = 'Wrong email or password.';
      if (error instanceof ApiError && error.status === 429) message = 'Too many failed attempts. Wait a few minutes, then try again.';
      replace(status, notice('error', message));
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  replace(
    root,
    h(
      'main',
      { class: 'auth', id: 'main' },
      h('div', { class: 'auth-brand' }, h('img', { src: '/favicon.svg', alt: '', width: 40, height: 40 }), 'AgentSudo'),
      form,
    ),
  );
  email.focus();

  get('/api/v1/setup', { quiet401: true })
    .then((body) => {
      if (body && body.needed) {
        replace(
          setupHint,
          notice(
            'info',
            'This server has no account yet. Open the one-time setup link that agentsudo-server printed when it started ',
            h('code', null, 'http://…/setup#token=…'),
            ', or create the first admin from a shell with ',
            h('code', null, 'agentsudo-server user create --data-dir DIR --email you@example.com --password-stdin'),
            '.',
          ),
        );
      }
    })
    .catch(() => {});
  return {};
}
