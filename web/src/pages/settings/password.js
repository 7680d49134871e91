import { post } from '../../api.js';
import { h, replace } from '../../dom.js';
import { notice } from '../../components/notice.js';
import { field } from '../../components/field.js';

// The signed-in person's own password change. This session stays signed in;
// the server ends every other session of theirs.
export function passwordForm() {
  const current = h('input', { type: 'password', id: 'current-password', autocomplete: 'current-password', required: true, maxlength: 1024 });
  const fresh = h('input', { type: 'password', id: 'new-password', autocomplete: 'new-password', minlength: 10, maxlength: 1024, required: true });
  const repeat = h('input', { type: 'password', id: 'repeat-password', autocomplete: 'new-password', required: true });
  const status = h('div', { class: 'form-status' });
  const submit = h('button', { type: 'submit', class: 'btn' }, 'Change password');
  const form = h(
    'form',
    { id: 'change-password', 'aria-labelledby': 'password-title' },
    h('h3', { id: 'password-title' }, 'Change password'),
    field('Current password', current),
    h('div', { class: 'grid-2 tight' }, field('New password', fresh, 'At least 10 characters.'), field('Repeat the new password', repeat)),
    status,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(status);
    if (fresh.value !== repeat.value) {
      replace(status, notice('error', 'The two new passwords differ.'));
      repeat.focus();
      return;
    }
    submit.disabled = true;
    try {
      await post('/api/v1/session/password', { current_password: current.value, new_password: fresh.value });
      form.reset();
      replace(status, notice('success', 'Password changed. Every other session of yours has been signed out.'));
    } catch (error) {
      const message = error.field === 'current_password' ? 'The current password is wrong.' : error.message;
      replace(status, notice('error', message));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
