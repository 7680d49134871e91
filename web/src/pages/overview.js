import { get, projectPath } from '../api.js';
import { h, replace } from '../dom.js';
import { notice } from '../components/notice.js';
import { fmtNumber, fmtPercent, fmtRelative } from '../format.js';
import { makeChart, destroyAll, bucketLabel, COLORS } from '../charts.js';
import { chartCard } from '../components/chart-card.js';
import { navigate } from '../router.js';
import { quickStartCurl } from '../components/quick-start.js';
import { dataSince } from '../components/data-since.js';

const DAY_CHOICES = [1, 7, 30, 90];

function statCard(label, value, id, tone) {
  return h(
    'div',
    { class: `stat${tone ? ` stat-${tone}` : ''}`, id },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value', 'data-testid': id }, value),
  );
}

export function renderOverview(main, { project, projectUrl }) {
  const charts = [];
  const params = new URLSearchParams(location.search);
  let days = Number(params.get('days')) || 7;
  if (!DAY_CHOICES.includes(days)) days = 7;

  const body = h('div', { class: 'overview-body' }, h('p', { class: 'loading' }, 'Loading…'));
  const selector = h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Time range' },
    DAY_CHOICES.map((d) =>
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-small',
          'aria-pressed': String(d === days),
          onclick: () => navigate(`${location.pathname}?days=${d}`),
        },
        d === 1 ? '24 hours' : `${d} days`,
      ),
    ),
  );
  const refresh = h('button', { type: 'button', class: 'btn btn-small', onclick: () => load() }, 'Refresh');
  replace(
    main,
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Overview'), h('div', { class: 'page-tools' }, selector, refresh)),
      dataSince(project),
      body,
    ),
  );

  async function load() {
    let analytics;
    try {
      analytics = await get(projectPath(project.id, `/analytics?days=${days}`));
    } catch (error) {
      replace(body, notice('error', `Analytics could not be loaded: ${error.message}`));
      return;
    }
    destroyAll(charts);
    const t = analytics.totals;
    const stats = h(
      'div',
      { class: 'stats' },
      statCard('Events', fmtNumber(t.events), 'stat-events'),
      statCard('Agents', fmtNumber(t.agents), 'stat-agents'),
      statCard('Sessions', fmtNumber(t.sessions), 'stat-sessions'),
      statCard('Grants', fmtNumber(t.grants), 'stat-grants', 'ok'),
      statCard('Denials', fmtNumber(t.denials), 'stat-denials', 'bad'),
      statCard('Denial rate', fmtPercent(t.denial_rate), 'stat-denial-rate', t.denial_rate > 0.2 ? 'bad' : null),
    );
    if (!t.events) {
      replace(
        body,
        stats,
        h(
          'section',
          { class: 'card empty' },
          h('h2', null, `No events in ${days === 1 ? 'the last 24 hours' : `the last ${days} days`}`),
          h('p', null, 'Point an agent at this server and its decisions show up here. Create an API key, then send a first event:'),
          h('pre', { class: 'code' }, quickStartCurl(location.origin, '$AGENTSUDO_API_KEY')),
          h(
            'p',
            null,
            h('a', { class: 'btn btn-primary', href: projectUrl(project.id, 'keys') }, 'Create an API key'),
            ' ',
            h('a', { class: 'btn', href: projectUrl(project.id, 'live') }, 'Watch live activity'),
          ),
        ),
      );
      return;
    }

    const labels = analytics.series.map((p) => bucketLabel(p.t, analytics.bucket));
    const over = chartCard('Events over time', 'chart-events', 'Allowed and denied events per ' + analytics.bucket);
    const rate = chartCard('Denial rate', 'chart-denial-rate', 'Share of denied events per ' + analytics.bucket);
    const topAgents = chartCard('Top agents', 'chart-top-agents', 'Agents with the most events');
    const topScopes = chartCard('Top scopes', 'chart-top-scopes', 'Scopes requested most');
    const agentRows = analytics.agents.slice(0, 10);
    const scopeRows = analytics.scopes.slice(0, 10);

    replace(
      body,
      stats,
      h('div', { class: 'grid-2' }, over.card, rate.card, topAgents.card, topScopes.card),
      h(
        'div',
        { class: 'grid-2' },
        h(
          'section',
          { class: 'card' },
          h('h2', null, 'Activity per agent'),
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { id: 'agents-activity' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['Agent', 'Events', 'Denials', 'Last active'].map((c) => h('th', { scope: 'col' }, c)),
                ),
              ),
              h(
                'tbody',
                null,
                analytics.agents.map((a) =>
                  h(
                    'tr',
                    null,
                    h('td', null, h('a', { href: `${projectUrl(project.id, 'audit')}?agent_name=${encodeURIComponent(a.agent_name)}` }, a.agent_name)),
                    h('td', { class: 'num' }, fmtNumber(a.events)),
                    h('td', { class: a.denials ? 'num bad' : 'num' }, fmtNumber(a.denials)),
                    h('td', null, fmtRelative(a.last_active)),
                  ),
                ),
              ),
            ),
          ),
        ),
        h(
          'section',
          { class: 'card' },
          h('h2', null, 'Usage per scope'),
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { id: 'scopes-usage' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['Scope', 'Requests', 'Denials', 'Agents'].map((c) => h('th', { scope: 'col' }, c)),
                ),
              ),
              h(
                'tbody',
                null,
                analytics.scopes.map((s) =>
                  h(
                    'tr',
                    null,
                    h('td', null, h('a', { href: `${projectUrl(project.id, 'audit')}?scope=${encodeURIComponent(s.scope)}` }, h('code', null, s.scope))),
                    h('td', { class: 'num' }, fmtNumber(s.requests)),
                    h('td', { class: s.denials ? 'num bad' : 'num' }, fmtNumber(s.denials)),
                    h('td', { class: 'num' }, fmtNumber(s.agents)),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );

    charts.push(
      makeChart(over.canvas, {
        type: 'bar',
        data: {
          labels,
          datasets: [
            { label: 'Allowed', data: analytics.series.map((p) => p.allowed), backgroundColor: COLORS.allowed, stack: 'events' },
            { label: 'Denied', data: analytics.series.map((p) => p.denied), backgroundColor: COLORS.denied, stack: 'events' },
          ],
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
      }),
      makeChart(rate.canvas, {
        type: 'line',
        data: {
          labels,
          datasets: [
            {
              label: 'Denied share',
              data: analytics.series.map((p) => (p.allowed + p.denied ? (100 * p.denied) / (p.allowed + p.denied) : null)),
              borderColor: COLORS.rate,
              backgroundColor: 'rgba(180,83,9,0.15)',
              fill: true,
              spanGaps: true,
              pointRadius: 2,
            },
          ],
        },
        options: {
          scales: { y: { beginAtZero: true, suggestedMax: 100, ticks: { callback: (v) => `${v}%` } } },
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${c.parsed.y.toFixed(1)}% denied` } } },
        },
      }),
      makeChart(topAgents.canvas, {
        type: 'bar',
        data: {
          labels: agentRows.map((a) => a.agent_name),
          datasets: [
            { label: 'Allowed', data: agentRows.map((a) => a.events - a.denials), backgroundColor: COLORS.allowed, stack: 'a' },
            { label: 'Denied', data: agentRows.map((a) => a.denials), backgroundColor: COLORS.denied, stack: 'a' },
          ],
        },
        options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } },
      }),
      makeChart(topScopes.canvas, {
        type: 'bar',
        data: {
          labels: scopeRows.map((s) => s.scope),
          datasets: [
            { label: 'Allowed', data: scopeRows.map((s) => s.requests - s.denials), backgroundColor: COLORS.allowed, stack: 's' },
            { label: 'Denied', data: scopeRows.map((s) => s.denials), backgroundColor: COLORS.denied, stack: 's' },
          ],
        },
        options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } },
      }),
    );
  }

  load();
  // A dashboard left open stays current; hidden tabs do not poll.
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') load();
  }, 60_000);
  return {
    dispose: () => {
      clearInterval(timer);
      destroyAll(charts);
    },
  };
}
