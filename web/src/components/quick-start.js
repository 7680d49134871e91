import { h } from '../dom.js';
import { copyButton } from './copy-button.js';

// The first event as a person sends it, for this server's origin and a key.
export function quickStartCurl(origin, apiKey) {
  const body = JSON.stringify({ agent_name: 'SupportBot', action: 'permission_check', scope: 'read:orders', allowed: true, function_name: 'get_order' });
  return `curl -X POST ${origin}/ingest-event \\\n  -H "Content-Type: application/json" \\\n  -H "X-API-Key: ${apiKey}" \\\n  -d '${body}'`;
}

export function quickStartPython(origin, apiKey) {
  return `# pip install agentsudo
# The official Python SDK sends its batches to {endpoint}/api/events:
# point its endpoint at this server and nothing else changes.
from agentsudo import configure_cloud

configure_cloud(
    api_key="${apiKey}",  # or set AGENTSUDO_API_KEY
    endpoint="${origin}",
)
# Every guarded call now reports its decision to this dashboard.`;
}

export function quickStartCpp(origin, apiKey) {
  return `// Link with agentsudo (find_package(agentsudo) or pkg-config agentsudo).
#include <agentsudo/telemetry.hpp>

int main() {
  agentsudo::configure_cloud({
      .api_key = "${apiKey}",  // or set AGENTSUDO_API_KEY
      .endpoint = "${origin}",
  });
  // ... guarded calls send their decisions in the background ...
  agentsudo::flush_telemetry();
}`;
}

// The quick-start card: one tab per way of sending events, each with the key
// filled in and a copy button.
export function quickStart(apiKey) {
  const origin = location.origin;
  const tabs = [
    { id: 'curl', label: 'cURL', text: quickStartCurl(origin, apiKey) },
    { id: 'python', label: 'Python SDK', text: quickStartPython(origin, apiKey) },
    { id: 'cpp', label: 'C++ SDK', text: quickStartCpp(origin, apiKey) },
  ];
  const panels = tabs.map((t, i) =>
    h(
      'div',
      { class: 'snippet', role: 'tabpanel', id: `snippet-${t.id}`, 'aria-labelledby': `tab-${t.id}`, hidden: i !== 0 },
      h(
        'div',
        { class: 'snippet-head' },
        copyButton(() => t.text, `Copy ${t.label}`),
      ),
      h('pre', { class: 'code' }, t.text),
    ),
  );
  const buttons = tabs.map((t, i) =>
    h(
      'button',
      { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `snippet-${t.id}`, 'aria-selected': String(i === 0), tabindex: i === 0 ? '0' : '-1' },
      t.label,
    ),
  );
  function select(index) {
    buttons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(i === index));
      b.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
    buttons[index].focus();
  }
  buttons.forEach((b, i) => {
    b.addEventListener('click', () => select(i));
    b.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight') select((i + 1) % buttons.length);
      if (e.key === 'ArrowLeft') select((i + buttons.length - 1) % buttons.length);
    });
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'quickstart-title' },
    h('h2', { id: 'quickstart-title' }, 'Quick start'),
    h('div', { class: 'tablist', role: 'tablist', 'aria-label': 'Language' }, buttons),
    panels,
  );
}
