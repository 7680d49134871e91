// Every page at a phone width and a laptop width (screenshots kept), no
// sideways scrolling, keyboard navigation, readable contrast, and the static
// files' security headers as the browser receives them.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Browser, setupAdmin, createProject, curlEvent, event } from './lib/harness.mjs';

let server;
let browser;
let page;
let project;

const PAGES = ['overview', 'live', 'approvals', 'agents', 'audit', 'keys', 'usage'];
const VIEWPORTS = { phone: { width: 390, height: 844 }, laptop: { width: 1366, height: 768 } };

before(async () => {
  server = await new Server().start();
  browser = new Browser('layout');
  page = await browser.launch();
  await setupAdmin(page, server);
  project = await createProject(page, server.origin, 'layout');
  for (let i = 0; i < 6; i++) {
    assert.equal(
      curlEvent(
        server.origin,
        project.apiKey,
        event({ agent_name: `Agent${i % 3}`, allowed: i % 2 === 0, action: i % 2 ? 'permission_denied' : 'permission_check', scope: `read:thing${i}` }),
      ),
      201,
    );
  }
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('the dashboard is served with its security headers', async () => {
  const response = await page.goto(`${server.origin}/projects/${project.projectId}/overview`);
  const headers = response.headers();
  assert.equal(response.status(), 200);
  assert.match(headers['content-security-policy'], /default-src 'self'/);
  assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'same-origin');
  assert.equal(headers['cache-control'], 'no-cache');
  const script = await page.locator('script[type=module]').getAttribute('src');
  assert.match(script, /^\/assets\/.+\.js$/);
  const asset = await page.evaluate(async (src) => {
    const r = await fetch(src);
    return { type: r.headers.get('content-type'), cache: r.headers.get('cache-control') };
  }, script);
  assert.match(asset.type, /^text\/javascript/);
  assert.match(asset.cache, /immutable/);
});

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  test(`every page fits a ${name} screen`, async () => {
    await page.setViewportSize(viewport);
    for (const slug of [...PAGES, 'settings']) {
      const target = slug === 'settings' ? `${server.origin}/settings` : `${server.origin}/projects/${project.projectId}/${slug}`;
      await page.goto(target);
      await page.locator('main h1').first().waitFor();
      // Every "Loading…" placeholder replaced by what it waited for; a page
      // that never finishes loading fails here instead of being measured.
      await page.waitForFunction(() => !document.querySelector('.loading'));
      await page.waitForTimeout(150);
      await browser.shot(`${name}-${slug}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${slug} scrolls sideways by ${overflow}px at ${viewport.width}px`);
    }
    await browser.assertClean();
  });
}

test('the pages can be used from the keyboard', async () => {
  await page.setViewportSize(VIEWPORTS.laptop);
  await page.goto(`${server.origin}/projects/${project.projectId}/overview`);
  await page.locator('[data-testid="stat-events"]').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content', 'the first Tab reaches the skip link');
  // Tab along until the "Live activity" tab link has the focus, then Enter.
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement.textContent)) === 'Live activity') break;
  }
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Live activity');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused link is visibly marked');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/live$/);
  await page.locator('#live-status').waitFor();
});

test('text has readable contrast', async () => {
  await page.goto(`${server.origin}/projects/${project.projectId}/overview`);
  await page.locator('[data-testid="stat-events"]').waitFor();
  const worst = await page.evaluate(() => {
    const rgb = (s) =>
      s
        .match(/[\d.]+/g)
        .slice(0, 3)
        .map(Number);
    const lum = ([r, g, b]) => {
      const f = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const bg = getComputedStyle(e).backgroundColor;
        if (bg && !bg.startsWith('rgba(0, 0, 0, 0)') && bg !== 'transparent') return rgb(bg);
      }
      return [255, 255, 255];
    };
    const results = [];
    for (const el of document.querySelectorAll('h1, h2, p, a, button, th, td, label, .stat-label, .stat-value')) {
      if (!el.offsetParent || !el.textContent.trim()) continue;
      const a = lum(rgb(getComputedStyle(el).color));
      const b = lum(background(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      results.push({ text: el.textContent.trim().slice(0, 30), ratio });
    }
    results.sort((x, y) => x.ratio - y.ratio);
    return results.slice(0, 3);
  });
  assert.ok(worst.length > 0);
  assert.ok(worst[0].ratio >= 4.5, `contrast below 4.5:1: ${JSON.stringify(worst)}`);
});

test('an unknown dashboard path shows a way back, not a blank page', async () => {
  await page.goto(`${server.origin}/projects/not-a-project/overview`);
  await page.getByRole('heading', { name: 'Not found' }).waitFor();
  await page.getByRole('link', { name: 'Back to the dashboard' }).waitFor();
  await browser.assertClean();
});
