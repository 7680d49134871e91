import { h } from '../dom.js';
import { fmtTime } from '../format.js';

// How far back a project's events go, and what decides it: its retention, or
// nothing at all (kept until the project is deleted).
export function dataSinceText(project) {
  if (!project.data_since) return 'No events stored yet.';
  const kept = project.retention_days ? `kept for ${project.retention_days} ${project.retention_days === 1 ? 'day' : 'days'}` : 'kept until deleted';
  return `Events from ${fmtTime(project.data_since)} on (${kept}).`;
}

export function dataSince(project) {
  return h('p', { class: 'muted data-since', 'data-testid': 'data-since' }, dataSinceText(project));
}
