import { h } from '../../dom.js';
import { field } from '../../components/field.js';
import { confirmDialog } from '../../components/confirm-dialog.js';
import { dataSinceText } from '../../components/data-since.js';

export const MAX_RETENTION_DAYS = 36500;

// The project's retention as a form field: whole UTC days of events to keep,
// empty for everything. `change()` is what a PATCH should carry (undefined
// when unchanged), after the person confirmed that shorter retention deletes.
export function retentionField(project) {
  const input = h('input', {
    type: 'number',
    id: 'project-retention',
    name: 'retention_days',
    min: 1,
    max: MAX_RETENTION_DAYS,
    step: 1,
    placeholder: 'Keep everything',
    value: project.retention_days ?? '',
  });
  const hint = `Whole UTC days of events to keep, today included; empty keeps everything. ${dataSinceText(project)}`;
  const element = field('Keep events for (days)', input, hint);

  async function change() {
    const raw = input.value.trim();
    const next = raw === '' ? null : Number(raw);
    if (next === (project.retention_days ?? null)) return undefined;
    const shorter = next !== null && (project.retention_days === null || project.retention_days === undefined || next < project.retention_days);
    if (shorter) {
      const ok = await confirmDialog({
        title: `Keep only the last ${next} ${next === 1 ? 'day' : 'days'} of events?`,
        body: 'Older events, their aggregates and their usage are deleted for good at the next retention pass. The audit chain records where it now starts.',
        confirmLabel: 'Shorten retention',
        danger: true,
      });
      if (!ok) throw new Error('Retention left unchanged.');
    }
    return next;
  }
  return { element, change };
}
