// A person adds a webhook in the project's settings: its signing secret is
// shown that once, the list shows only its start, a test ping lands in the
// delivery log, and deleting it empties the list.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Browser, setupAdmin, createProject, HANG_GUARD_MS } from './lib/harness.mjs';

let server;
let browser;
let page;
let project;

// Nothing listens there: each delivery fails, and the log says why.
const HOOK_URL = 'http://127.0.0.1:9/agentsudo-hook';

before(async () => {
  server = await new Server().start();
  browser = new Browser('webhook_settings');
  page = await browser.launch();
  await setupAdmin(page, server);
  project = await createProject(page, server.origin, 'hooks');
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('a webhook is added with its secret shown once, listed by its prefix, pinged and deleted', async () => {
  await page.goto(`${server.origin}/settings`);
  await page.locator('#webhooks-empty').waitFor();
  await page.getByLabel('URL').fill(HOOK_URL);
  await page.locator('#webhook-format').selectOption('json');
  await page.getByRole('button', { name: 'Add webhook' }).click();

  const secret = (await page.locator('#new-webhook-secret').textContent()).trim();
  assert.ok(secret.length >= 24, `a secret worth the name: ${secret}`);
  const item = page.locator('#webhooks li.webhook').filter({ hasText: HOOK_URL });
  await item.waitFor();
  const prefix = (await item.locator('.webhook-secret').textContent()).replace(/…$/, '');
  assert.ok(prefix.length >= 4 && secret.startsWith(prefix), `the list shows the secret's start (${prefix}), not another string`);
  assert.ok(prefix.length < secret.length, 'and never the whole secret');
  await item.getByText('Signed JSON').waitFor();
  await browser.shot('01-created');

  // The API never gives the secret again, and neither does the page.
  const listed = await server.api('GET', `/api/v1/projects/${project.projectId}/webhooks`);
  assert.equal(listed.status, 200, listed.text);
  assert.ok(!listed.text.includes(secret), 'the list answer holds no secret');
  await page.reload();
  await item.waitFor();
  assert.equal(await page.locator('#new-webhook-secret').count(), 0);
  assert.ok(!(await page.content()).includes(secret), 'the secret is gone after a reload');

  await item.getByRole('button', { name: 'Send test' }).click();
  const delivery = item.locator('.delivery-log tbody tr').first();
  await delivery.waitFor({ timeout: HANG_GUARD_MS });
  await delivery.getByText('ping').waitFor();
  await browser.shot('02-delivery-log');

  await item.getByRole('button', { name: 'Delete' }).click();
  await page.locator('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.locator('#webhooks-empty').waitFor();
  const remaining = await server.api('GET', `/api/v1/projects/${project.projectId}/webhooks`);
  assert.deepEqual(remaining.json.webhooks, []);
  await browser.assertClean();
});
