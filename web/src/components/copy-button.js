import { h } from '../dom.js';

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
    let ok;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

// A button that copies what `getText()` returns and says whether it worked.
export function copyButton(getText, label = 'Copy') {
  const button = h('button', { type: 'button', class: 'btn btn-small' }, label);
  button.addEventListener('click', async () => {
    const ok = await copyText(getText());
    button.textContent = ok ? 'Copied' : 'Select and copy';
    setTimeout(() => (button.textContent = label), 1500);
  });
  return button;
}
