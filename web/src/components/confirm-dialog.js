import { h } from '../dom.js';
import { field } from './field.js';

// A modal confirmation built on <dialog>. Resolves true when confirmed.
// With `typeToConfirm`, the confirm button stays disabled until that text is typed.
export function confirmDialog({ title, body, confirmLabel = 'Confirm', danger = false, typeToConfirm }) {
  return new Promise((resolve) => {
    const input = typeToConfirm ? h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }) : null;
    const ok = h('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn btn-primary', value: 'ok' }, confirmLabel);
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'dialog-title' }, title),
        body ? h('p', null, body) : null,
        input ? field(`Type “${typeToConfirm}” to confirm`, input) : null,
        h('div', { class: 'actions' }, cancel, ok),
      ),
    );
    if (input) {
      ok.disabled = true;
      input.addEventListener('input', () => (ok.disabled = input.value !== typeToConfirm));
    }
    let result = false;
    ok.addEventListener('click', () => (result = true));
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    (input || cancel).focus();
  });
}
