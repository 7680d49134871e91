import { post, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { notice } from '../components/notice.js';
import { field } from '../components/field.js';

// First-run setup: the token travels in the URL's fragment, which browsers
// never send to a server; it is read here and removed from the address bar.
export function renderSetup(root, { onDone }) {
  document.title = 'Set up · AgentSudo';
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  if (fromHash) history.replaceState(null, '', '/setup');
  const token = h('input', { type: 'text', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true, value: fromHash });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', minlength: 10, maxlength: 1024, required: true });
  const confirm = h('input', { type: 'password', name: 'confirm', autocomplete: 'new-password', required: true });
  const status = h('div', { class: 'form-status' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create admin account');
  const form = h(
    'form',
    { class: 'card auth-card', 'aria-labelledby': 'setup-title' },
    h('h1', { id: 'setup-title' }, 'Create the first admin account'),
    h('p', null, 'This account manages users, projects, keys and agents on this server. There is no default password.'),
    fromHash ? null : field('Setup token', token, 'From the link agentsudo-server printed when it started: …/setup#token=THIS'),
    field('Email', email),
    field('Password', password, 'At least 10 characters.'),
    field('Repeat the password', confirm),
    status,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(status);
    if (password.value !== confirm.value) {
      replace(status, notice('error', 'The two passwords differ.'));
      confirm.focus();
      return;
    }
    submit.disabled = true;
    try {
      const session = await post('/api/v1/setup', { token: token.value.trim(), email: email.value.trim(), password: password.value }, { quiet401: true });
      await onDone(session);
    } catch (error) {
      let message = error.message;
      if (error instanceof ApiError && error.code === 'CONFLICT') message = 'This server is already set up. Log in instead.';
      if (error instanceof ApiError && error.status === 403) message = 'The setup token is wrong or expired. Restart the server for a new link.';
      replace(status, notice('error', message, ' ', h('a', { href: '/login' }, 'Go to login')));
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
  (fromHash ? email : token).focus();
  return {};
}
