// Retention in the dashboard: a project's settings set how many days of
// events are kept (shortening asks first, since it deletes), a bad value is
// refused with the server's reason and changes nothing, and the overview
// says how far back the data goes before and after a retention pass.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Browser, setupAdmin, createProject, postEvent, event } from './lib/harness.mjs';

let server;
let browser;
let page;
let project;

before(async () => {
  server = await new Server().start();
  browser = new Browser('retention_settings');
  page = await browser.launch();
  await setupAdmin(page, server);
  project = await createProject(page, server.origin, 'kept');
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function retentionOnServer() {
  const res = await server.api('GET', `/api/v1/projects/${project.projectId}`);
  assert.equal(res.status, 200, res.text);
  return res.json.retention_days;
}

async function openSettings() {
  await page.goto(`${server.origin}/projects/${project.projectId}/overview`);
  await page.locator('[data-testid="data-since"]').waitFor();
  await page.goto(`${server.origin}/settings`);
  await page.locator('#project-retention').waitFor();
}

test('a new project keeps everything and says it has no events yet', async () => {
  await openSettings();
  assert.equal(await page.locator('#project-retention').inputValue(), '');
  assert.match(await page.locator('#project-retention-hint').textContent(), /No events stored yet/);
  assert.equal(await retentionOnServer(), null);
});

test('the overview says from when events are kept', async () => {
  assert.equal(await postEvent(server.origin, project.apiKey, event()), 201);
  await page.goto(`${server.origin}/projects/${project.projectId}/overview`);
  // The project list is loaded once per page load: data_since comes with it.
  await page.reload();
  const since = page.locator('[data-testid="data-since"]');
  await since.waitFor();
  assert.match(await since.textContent(), /^Events from .+ on \(kept until deleted\)\.$/);
});

test('shortening retention asks first; cancelling changes nothing', async () => {
  await openSettings();
  await page.locator('#project-retention').fill('30');
  await page.getByRole('button', { name: 'Save project' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /last 30 days/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('#project-settings .notice').waitFor();
  assert.equal(await retentionOnServer(), null);
});

test('confirming saves it, and the overview says for how long events are kept', async () => {
  await openSettings();
  await page.locator('#project-retention').fill('30');
  await page.getByRole('button', { name: 'Save project' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Shorten retention' }).click();
  await page.locator('#project-settings').getByText('Saved.').waitFor();
  assert.equal(await retentionOnServer(), 30);
  await page.goto(`${server.origin}/projects/${project.projectId}/overview`);
  await page.reload();
  assert.match(await page.locator('[data-testid="data-since"]').textContent(), /\(kept for 30 days\)\.$/);
  await browser.shot('retention-overview');
});

test('a value the server refuses is shown with its reason and changes nothing', async () => {
  await openSettings();
  assert.equal(await page.locator('#project-retention').inputValue(), '30');
  // The browser's own range check would stop 0 before the server sees it;
  // the server's answer is what a person must see when it is bypassed.
  await page.locator('#project-retention').evaluate((input) => input.removeAttribute('min'));
  await page.locator('#project-retention').fill('0');
  await page.getByRole('button', { name: 'Save project' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Shorten retention' }).click();
  const error = page.locator('#project-settings .notice');
  await error.waitFor();
  assert.match(await error.textContent(), /retention_days/);
  assert.equal(await retentionOnServer(), 30);
});

test('emptying the field keeps everything again, without asking', async () => {
  await openSettings();
  await page.locator('#project-retention').fill('');
  await page.getByRole('button', { name: 'Save project' }).click();
  await page.locator('#project-settings').getByText('Saved.').waitFor();
  assert.equal(await page.getByRole('dialog').count(), 0);
  assert.equal(await retentionOnServer(), null);
  await browser.assertClean();
});
