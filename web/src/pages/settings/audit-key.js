import { get } from '../../api.js';
import { h, replace } from '../../dom.js';
import { notice } from '../../components/notice.js';

// The key the server signs its audit checkpoints with, for whoever checks an
// export offline (agentsudo-server verify --export FILE --public-key KEY).
export function auditKeySection() {
  const body = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  get('/api/v1/audit/public-key')
    .then((key) => {
      replace(
        body,
        h(
          'p',
          { class: 'muted' },
          'The server signs a checkpoint of each project’s hash-chained event log every few seconds with this Ed25519 key. Give it to whoever checks an NDJSON export.',
        ),
        h('pre', { id: 'audit-public-key', class: 'code' }, key.public_key),
        h('p', { class: 'muted' }, 'Also served at GET /api/v1/audit/public-key.'),
      );
    })
    .catch((error) => replace(body, notice('error', error.message)));
  return h('section', { class: 'card', 'aria-labelledby': 'audit-key-title' }, h('h2', { id: 'audit-key-title' }, 'Audit signing key'), body);
}
