// A tiny element builder. Text always goes in as text nodes, never as HTML:
// event fields come from agents and must not become markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('on') && typeof value === 'function') {
        el.addEventListener(name.slice(2).toLowerCase(), value);
      } else if (name === 'class') {
        el.className = value;
      } else if (name === 'dataset') {
        Object.assign(el.dataset, value);
      } else if (name === 'value' && 'value' in el) {
        el.value = value;
      } else if (name === 'checked' || name === 'selected' || name === 'disabled') {
        el[name] = Boolean(value);
      } else {
        el.setAttribute(name, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

// A status line that screen readers announce.
export function notice(kind, ...children) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

// A labelled form field: <label>text <input ...></label> with an optional hint.
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintEl = hint ? h('small', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

// Copies text to the clipboard; falls back to a selection where the
// Clipboard API is unavailable (plain http on a non-local address).
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'offscreen', readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

export function copyButton(getText, label = 'Copy') {
  const button = h('button', { type: 'button', class: 'btn btn-small' }, label);
  button.addEventListener('click', async () => {
    const ok = await copyText(getText());
    button.textContent = ok ? 'Copied' : 'Select and copy';
    setTimeout(() => (button.textContent = label), 1500);
  });
  return button;
}

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
