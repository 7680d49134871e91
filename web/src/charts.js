// Chart.js, registered with only what the dashboard draws. Animations are off:
// numbers should appear, not dance, and screenshots stay stable.
import { Chart, BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Filler, Legend, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Filler, Legend, Tooltip);

const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
export const COLORS = {
  allowed: '#2563eb',
  denied: '#dc2626',
  rate: '#b45309',
  grid: dark ? 'rgba(255,255,255,0.12)' : 'rgba(0,0,0,0.08)',
  text: dark ? '#d4d4d8' : '#374151',
};
Chart.defaults.color = COLORS.text;
Chart.defaults.borderColor = COLORS.grid;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export function makeChart(canvas, config) {
  return new Chart(canvas, {
    ...config,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      ...config.options,
      plugins: { legend: { position: 'bottom' }, ...(config.options && config.options.plugins) },
    },
  });
}

export function destroyAll(charts) {
  for (const chart of charts) chart.destroy();
  charts.length = 0;
}

// Bucket labels: hours for one day, dates otherwise.
export function bucketLabel(iso, bucket) {
  const d = new Date(iso);
  if (bucket === 'hour') return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  return d.toLocaleDateString('en-GB', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}
