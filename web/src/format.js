const numberFormat = new Intl.NumberFormat('en-US');
const percentFormat = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

export const fmtNumber = (n) => (n === null || n === undefined ? '—' : numberFormat.format(n));
export const fmtPercent = (x) => (x === null || x === undefined ? '—' : percentFormat.format(x));

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtRelative(iso) {
  if (!iso) return 'never';
  const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
  if (Number.isNaN(seconds)) return iso;
  if (seconds < 45) return 'just now';
  const minutes = seconds / 60;
  if (minutes < 60) return `${Math.round(minutes)} min ago`;
  const hours = minutes / 60;
  if (hours < 24) return `${Math.round(hours)} h ago`;
  const days = hours / 24;
  return `${Math.round(days)} d ago`;
}

export function fmtDuration(seconds) {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

// A span of whole seconds as a countdown reads it: 45 s, 4:05 min, 2 h 10 min.
export function fmtSpan(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} min`;
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}

// How long ago, for a clock that ticks each second: 12 s ago, 4 min ago, 2 h 10 min ago.
export function fmtAge(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 60 && s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${fmtSpan(s)} ago`;
}

// The SDK's decisions, the server's own record of a policy edit, then the
// steps of an approval request.
export const ACTIONS = [
  'permission_check',
  'permission_denied',
  'audit_violation',
  'callback_approved',
  'callback_denied',
  'policy_changed',
  'approval_requested',
  'approval_granted',
  'approval_denied',
  'approval_expired',
];
