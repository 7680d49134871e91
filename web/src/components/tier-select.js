import { h } from '../dom.js';
import { fmtNumber } from '../format.js';

// The project tier chooser, for creating a project and for its settings
// (admins only: tiers are an admin's decision).
export function tierSelect() {
  return h(
    'select',
    { name: 'tier' },
    h('option', { value: 'free' }, 'Free (1,000 events a day)'),
    h('option', { value: 'pro' }, 'Pro (100,000 events a day)'),
  );
}

// A project's tier as words, e.g. "Pro (100,000 events a day)".
export function tierLabel(tier) {
  const name = tier.name.charAt(0).toUpperCase() + tier.name.slice(1);
  return `${name} (${fmtNumber(tier.daily_quota)} events a day)`;
}

export const TIER_HINT = 'Only an admin can change the tier (the daily quota).';

// What a person who may not change the tier sees instead of the chooser.
export function tierReadOnly(tier, id) {
  return h('input', { type: 'text', id, value: tierLabel(tier), readonly: true });
}
