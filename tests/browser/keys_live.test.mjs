// Create a project and its key in the UI, send events and watch them arrive in
// the live feed and the overview, then revoke the key and see ingestion
// refused (with cURL, as the quick-start does).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Browser, setupAdmin, createProject, curlEvent, postEvent, event, HANG_GUARD_MS } from './lib/harness.mjs';

let server;
let browser;
let page;
let project;

before(async () => {
  server = await new Server().start();
  browser = new Browser('keys_live');
  page = await browser.launch();
  await setupAdmin(page, server);
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const url = (slug) => `${server.origin}/projects/${project.projectId}/${slug}`;

async function stat(id) {
  return (await page.locator(`[data-testid="${id}"]`).textContent()).trim();
}

test('a new project shows its first key once, with quick-starts filled in', async () => {
  project = await createProject(page, server.origin, 'shop');
  const curl = await page.locator('#snippet-curl pre').textContent();
  assert.ok(curl.includes(`${server.origin}/ingest-event`), 'the cURL line targets this server');
  assert.ok(curl.includes(project.apiKey), 'the cURL line carries the new key');
  await page.getByRole('tab', { name: 'C++ SDK' }).click();
  const cpp = await page.locator('#snippet-cpp pre').textContent();
  assert.ok(cpp.includes(`.endpoint = "${server.origin}"`) && cpp.includes(`.api_key = "${project.apiKey}"`));
  await page.getByRole('tab', { name: 'Python SDK' }).click();
  const py = await page.locator('#snippet-python pre').textContent();
  assert.ok(py.includes(`endpoint="${server.origin}"`) && py.includes('configure_cloud'));
  await browser.shot('01-keys-new-project');

  await page.reload();
  await page.locator('#keys-table').waitFor();
  assert.equal(await page.locator('#new-api-key').count(), 0, 'the key is not shown a second time');
  const prefix = await page.locator('#keys-table tbody tr').first().getAttribute('data-prefix');
  assert.ok(project.apiKey.startsWith(prefix), 'the list shows the key by its prefix');
  await browser.assertClean();
});

test('the overview of an empty project says what to do next', async () => {
  await page.goto(url('overview'));
  assert.equal(await stat('stat-events'), '0');
  await page.getByText('Create an API key').first().waitFor();
  await browser.shot('02-overview-empty');
});

test('an event sent while the live page is open shows in its feed', async () => {
  await page.goto(url('live'));
  await page.locator('#live-status').getByText('Live').waitFor({ timeout: HANG_GUARD_MS });
  await browser.shot('03-live-empty');

  // The page is already showing, so the row can only come from the stream.
  assert.equal(await postEvent(server.origin, project.apiKey, event({ agent_name: 'LiveBot' })), 201);
  await page.locator('#live-feed tbody tr').filter({ hasText: 'LiveBot' }).waitFor({ timeout: HANG_GUARD_MS });

  assert.equal(
    await postEvent(
      server.origin,
      project.apiKey,
      event({ agent_name: 'LiveBot', action: 'permission_denied', scope: 'write:refunds', allowed: false, function_name: 'refund' }),
    ),
    201,
  );
  const denied = page.locator('#live-feed tbody tr').filter({ hasText: 'write:refunds' });
  await denied.waitFor({ timeout: HANG_GUARD_MS });
  assert.match(await denied.getAttribute('class'), /row-denied/, 'denials are highlighted');
  await denied.getByText('Denied', { exact: true }).waitFor();
});

test('a paused feed holds new events and shows them on resume', async () => {
  await page.locator('#live-pause').click();
  assert.equal(await postEvent(server.origin, project.apiKey, event({ agent_name: 'PausedBot' })), 201);
  // The note counts the event once it has arrived, so it is held by now.
  await page.getByText('1 new event waiting').waitFor({ timeout: HANG_GUARD_MS });
  assert.equal(await page.locator('#live-feed tbody tr').filter({ hasText: 'PausedBot' }).count(), 0, 'nothing is added while paused');
  await browser.shot('04-live-paused');
  await page.locator('#live-pause').click();
  await page.locator('#live-feed tbody tr').filter({ hasText: 'PausedBot' }).waitFor({ timeout: HANG_GUARD_MS });
  await browser.shot('05-live-feed');
  await browser.assertClean();
});

test('the overview counts what was sent', async () => {
  await page.goto(url('overview'));
  await page.locator('#chart-events').waitFor();
  assert.equal(await stat('stat-events'), '3');
  assert.equal(await stat('stat-denials'), '1');
  assert.equal(await stat('stat-grants'), '2');
  assert.equal(await stat('stat-agents'), '2');
  assert.equal(await stat('stat-denial-rate'), '33.3%');
  await page.locator('#agents-activity').getByText('LiveBot').waitFor();
  await page.locator('#scopes-usage').getByText('write:refunds').waitFor();
  await browser.shot('06-overview-7-days');

  await page.getByRole('button', { name: '24 hours' }).click();
  await page.waitForURL(/\?days=1$/);
  await page.locator('#chart-events').waitFor();
  assert.equal(await stat('stat-events'), '3');
  assert.equal(await page.getByRole('button', { name: '24 hours' }).getAttribute('aria-pressed'), 'true');
  await browser.shot('07-overview-24-hours');

  // The numbers come from the API, not from the page's own counting.
  const analytics = await server.api('GET', `/api/v1/projects/${project.projectId}/analytics?days=1`);
  assert.equal(analytics.json.totals.events, 3);
  await browser.assertClean();
});

test('usage shows today against the quota', async () => {
  await page.goto(url('usage'));
  await page
    .locator('#usage-today')
    .getByText(/^3 of 1,000 events$/)
    .waitFor();
  await page.locator('#chart-usage').waitFor();
  // Events sent without SDK numbering: nothing lost to report.
  await page
    .locator('#delivery-totals')
    .getByText(/^0 dropped by SDKs · 0 gaps never filled\./)
    .waitFor();
  await browser.shot('08-usage');
});

// The listed prefix of a full key.
async function prefixOf(apiKey) {
  const prefixes = await page.locator('#keys-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.prefix));
  const prefix = prefixes.find((p) => apiKey.startsWith(p));
  assert.ok(prefix, `the key is listed by its prefix (listed: ${prefixes.join(', ')})`);
  return prefix;
}

test('rotating a key issues a new one and retires the old one at once', async () => {
  await page.goto(url('keys'));
  await page.locator('#keys-table').waitFor();
  await page.locator('#create-key').click();
  await page.locator('#new-api-key').waitFor();
  const second = (await page.locator('#new-api-key').textContent()).trim();
  assert.equal(curlEvent(server.origin, second, event({ agent_name: 'RotBot' })), 201);
  await page.locator('#keys-table tbody tr').nth(1).waitFor();
  const prefix = await prefixOf(second);
  await page.getByRole('button', { name: `Rotate key ${prefix}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
  await page.locator('#new-api-key').filter({ hasNotText: second }).waitFor();
  const third = (await page.locator('#new-api-key').textContent()).trim();
  assert.notEqual(third, second);
  assert.equal(curlEvent(server.origin, second, event()), 401, 'the rotated key is refused');
  assert.equal(curlEvent(server.origin, third, event({ agent_name: 'RotBot' })), 201, 'the new key works');
});

test('a revoked key is refused by ingestion', async () => {
  await page.goto(url('keys'));
  await page.locator('#keys-table').waitFor();
  const prefix = await prefixOf(project.apiKey);
  await page.getByRole('button', { name: `Revoke key ${prefix}` }).click();
  await browser.shot('09-revoke-dialog');
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
  await page.getByText(`Key ${prefix}… is revoked.`).waitFor();
  await page
    .locator(`#keys-table tbody tr[data-prefix="${prefix}"]`)
    .getByText(/^Revoked/)
    .waitFor();
  assert.equal(curlEvent(server.origin, project.apiKey, event()), 401, 'ingestion refuses the revoked key');
  await browser.shot('10-keys-revoked');
  await browser.assertClean();
});
