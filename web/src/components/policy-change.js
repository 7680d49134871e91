import { h } from '../dom.js';
import { fmtDuration } from '../format.js';

// The scopes in `after` and not in `before`, and the other way round, each in
// the order the person wrote them.
export function scopeDiff(before, after) {
  const was = new Set(before);
  const now = new Set(after);
  return { added: after.filter((s) => !was.has(s)), removed: before.filter((s) => !now.has(s)) };
}

const scopeChip = (sign, scope) =>
  h(
    'li',
    { class: sign === '+' ? 'diff-added' : 'diff-removed' },
    // The sign is spoken too: colour alone would not say which side a scope is on.
    h('span', { class: 'diff-sign', 'aria-label': sign === '+' ? 'added' : 'removed' }, sign === '+' ? '+' : '−'),
    h('code', null, scope),
  );

const setting = (label, value) => h('li', null, `${label} ${value}`);

// What one policy change did to an agent's settings ({scopes, role,
// session_ttl_seconds}, either side null when the agent was created or
// deleted), as a list a person reads: scopes added and removed, then the role
// and session TTL where they changed.
export function policyChange(kind, before, after) {
  const { added, removed } = scopeDiff(before?.scopes ?? [], after?.scopes ?? []);
  const items = [...added.map((s) => scopeChip('+', s)), ...removed.map((s) => scopeChip('-', s))];
  if (before && after) {
    if (before.role !== after.role) items.push(setting('Role', `${before.role} → ${after.role}`));
    if (before.session_ttl_seconds !== after.session_ttl_seconds)
      items.push(setting('Session TTL', `${fmtDuration(before.session_ttl_seconds)} → ${fmtDuration(after.session_ttl_seconds)}`));
  } else if (after && kind === 'created') {
    items.push(setting('Role', after.role), setting('Session TTL', fmtDuration(after.session_ttl_seconds)));
  }
  if (!items.length) return h('p', { class: 'muted policy-diff-empty' }, kind === 'deleted' ? 'It had no scopes.' : 'Saved with no change to its settings.');
  return h('ul', { class: 'policy-diff' }, items);
}

// The same from a `policy_changed` event's metadata, which keeps both sides
// flat (old_scopes, new_role, …). Returns null for metadata of another shape.
export function policyChangeFromMetadata(metadata) {
  if (!metadata || !Array.isArray(metadata.old_scopes) || !Array.isArray(metadata.new_scopes)) return null;
  const side = (prefix, present) =>
    present ? { scopes: metadata[`${prefix}_scopes`], role: metadata[`${prefix}_role`], session_ttl_seconds: metadata[`${prefix}_session_ttl_seconds`] } : null;
  const kind = metadata.change;
  return policyChange(kind, side('old', kind !== 'created'), side('new', kind !== 'deleted'));
}
