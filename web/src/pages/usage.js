import { get, projectPath } from '../api.js';
import { h, replace } from '../dom.js';
import { notice } from '../components/notice.js';
import { fmtNumber, fmtTime, fmtPercent } from '../format.js';
import { makeChart, destroyAll, COLORS } from '../charts.js';
import { chartCard } from '../components/chart-card.js';

export function renderUsage(main, { project }) {
  const charts = [];
  const body = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  replace(main, h('section', { class: 'page' }, h('div', { class: 'page-head' }, h('h1', null, 'Usage')), body));

  (async () => {
    let usage;
    try {
      usage = await get(projectPath(project.id, '/usage'));
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
