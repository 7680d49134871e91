import { get, projectPath } from '../api.js';
import { h, replace } from '../dom.js';
import { notice } from '../components/notice.js';
import { fmtNumber, fmtTime, fmtPercent } from '../format.js';
import { makeChart, destroyAll, COLORS } from '../charts.js';
import { chartCard } from '../components/chart-card.js';

// What SDK processes lost on the way: drops they reported and sequence
// numbers never received, by instance and UTC day.
function deliveryCard(delivery) {
  const rows = delivery.instances.flatMap((instance) =>
    instance.days.map((d) =>
      h(
        'tr',
        null,
        h('td', null, h('code', { title: instance.instance_id }, instance.instance_id.slice(0, 8))),
        h('td', null, d.day),
        h('td', { class: 'num' }, fmtNumber(d.events)),
        h('td', { class: d.dropped ? 'num bad' : 'num' }, fmtNumber(d.dropped)),
        h('td', { class: d.gaps ? 'num bad' : 'num' }, fmtNumber(d.gaps)),
      ),
    ),
  );
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'delivery-title' },
    h('h2', { id: 'delivery-title' }, 'Events lost by SDKs'),
    h(
      'p',
      { class: 'muted', id: 'delivery-totals' },
      `${fmtNumber(delivery.dropped)} dropped by SDKs · ${fmtNumber(delivery.gaps)} gaps never filled. `,
      'Dropped: what an SDK process reported it could not queue. Gaps: event numbers of a process that never arrived.',
    ),
    rows.length === 0
      ? h('p', { class: 'muted' }, 'No SDK process has reported numbered events in the last 30 days.')
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { id: 'delivery-table' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['Instance', 'Day (UTC)', 'Events', 'Dropped', 'Gaps'].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h('tbody', null, rows),
          ),
        ),
  );
}

export function renderUsage(main, { project }) {
  const charts = [];
  const body = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  replace(main, h('section', { class: 'page' }, h('div', { class: 'page-head' }, h('h1', null, 'Usage')), body));

  (async () => {
    let usage;
    let delivery;
    try {
      [usage, delivery] = await Promise.all([get(projectPath(project.id, '/usage')), get(projectPath(project.id, '/usage/delivery'))]);
    } catch (error) {
      replace(body, notice('error', `Usage could not be loaded: ${error.message}`));
      return;
    }
    const today = usage.today;
    const share = today.limit ? Math.min(1, today.events / today.limit) : 0;
    const bar = h('div', { class: `meter-fill${share >= 0.9 ? ' meter-high' : ''}` });
    bar.style.width = `${(share * 100).toFixed(1)}%`;
    const chart = chartCard('Events per day, last 30 days', 'chart-usage', 'Events stored per UTC day over the last 30 days');
    replace(
      body,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'today-title' },
        h('h2', { id: 'today-title' }, 'Today (UTC)'),
        h('p', { class: 'big', id: 'usage-today' }, `${fmtNumber(today.events)} of ${fmtNumber(today.limit)} events`),
        h(
          'div',
          { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': today.limit, 'aria-valuenow': today.events, 'aria-label': 'Daily quota used' },
          bar,
        ),
        h(
          'p',
          { class: 'muted' },
          `${fmtPercent(share)} used · ${fmtNumber(today.remaining)} left · resets ${fmtTime(today.resets_at)} · tier ${project.tier.name}. `,
          'Past the quota, ingestion answers 429 with Retry-After until the reset.',
        ),
      ),
      chart.card,
      deliveryCard(delivery),
    );
    charts.push(
      makeChart(chart.canvas, {
        type: 'bar',
        data: {
          labels: usage.days.map((d) => d.day.slice(5)),
          datasets: [{ label: 'Events', data: usage.days.map((d) => d.events), backgroundColor: COLORS.allowed }],
        },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
    );
  })();
  return { dispose: () => destroyAll(charts) };
}
