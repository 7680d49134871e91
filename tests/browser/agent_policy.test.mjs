// A person changes an agent's scopes on its page: the preview says, from the
// agent's real recorded traffic, how many calls the change would have denied
// that were granted and granted that were denied; the save shows up in the
// agent's history (and in the audit log) under the editor's email.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Browser, setupAdmin, createProject, event } from './lib/harness.mjs';

let server;
let browser;
let page;
let project;
let admin;
let ordersBot;

const AGENT = 'OrdersBot';
const DAY_MS = 86_400_000;
const agentsPath = () => `/api/v1/projects/${project.projectId}/agents`;

// `n` copies of one call, stamped `daysAgo` days back.
function calls(n, scope, allowed, daysAgo = 0) {
  const timestamp = new Date(Date.now() - daysAgo * DAY_MS).toISOString();
  return Array.from({ length: n }, (_, i) =>
    event({
      agent_name: AGENT,
      scope,
      allowed,
      action: allowed ? 'permission_check' : 'permission_denied',
      function_name: `call_${scope.replace(':', '_')}_${i}`,
      timestamp,
    }),
  );
}

// The agent's traffic under read:* and write:*. Removing write:* and adding
// admin:* would have denied 5 granted calls and granted 3 denied ones this
// week; counting the older calls too (30 days), 7 and 4.
const TRAFFIC = [
  ...calls(4, 'write:orders', true),
  ...calls(1, 'write:refunds', true),
  ...calls(2, 'read:orders', true),
  ...calls(3, 'admin:users', false),
  ...calls(2, 'write:orders', true, 10),
  ...calls(1, 'admin:users', false, 10),
];

before(async () => {
  server = await new Server().start();
  browser = new Browser('agent_policy');
  page = await browser.launch();
  admin = await setupAdmin(page, server);
  project = await createProject(page, server.origin, 'orders');
  const res = await fetch(`${server.origin}/api/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': project.apiKey },
    body: JSON.stringify(TRAFFIC),
  });
  assert.equal(res.status, 200, await res.text());
  // The scopes the agent ran under, set by an operator with a management token.
  ordersBot = (await server.api('GET', agentsPath())).json.agents.find((a) => a.name === AGENT);
  assert.ok(ordersBot, 'the agent appeared at ingest');
  const set = await server.api('PATCH', `${agentsPath()}/${ordersBot.id}`, { scopes: ['read:*', 'write:*'] });
  assert.equal(set.status, 200, set.text);
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const count = (id) => page.locator(`#${id} .count`);
const scopeCalls = (id, scope) => page.locator(`#${id}-scopes li[data-scope="${scope}"] .calls`);

test("the preview counts the agent's calls the change would decide the other way", async () => {
  await page.goto(`${server.origin}/projects/${project.projectId}/agents`);
  await page.getByRole('button', { name: `Edit ${AGENT}` }).click();
  await page.locator('#preview-unchanged').waitFor(); // the saved scopes change nothing
  assert.match(await page.locator('#preview-total').textContent(), /10 calls with a scope in the last 7 days/);

  // Typing goes to the server once the person pauses, not once a key.
  const previews = [];
  page.on('request', (r) => r.url().endsWith(`/agents/${ordersBot.id}/preview`) && previews.push(r.postDataJSON()));
  const scopes = page.locator('#agent-scopes');
  await scopes.fill('read:*\n');
  await scopes.press('End');
  await scopes.pressSequentially('admin:*', { delay: 20 });
  // Half-typed scopes (admin:) grant nothing yet: wait for the whole pattern's answer.
  await count('preview-granted').filter({ hasText: /^3$/ }).waitFor();
  assert.equal((await count('preview-denied').textContent()).trim(), '5');
  assert.equal((await count('preview-granted').textContent()).trim(), '3');
  assert.equal(await scopeCalls('preview-denied', 'write:orders').textContent(), '4 calls');
  assert.equal(await scopeCalls('preview-denied', 'write:refunds').textContent(), '1 call');
  assert.equal(await scopeCalls('preview-granted', 'admin:users').textContent(), '3 calls');
  assert.equal(await page.locator('#preview-denied-scopes li[data-scope="read:orders"]').count(), 0, 'read:orders stays granted');
  assert.ok(previews.length <= 3, `typing 7 characters sent ${previews.length} previews`);
  assert.deepEqual(previews.at(-1), { scopes: ['read:*', 'admin:*'], days: 7 });
  await browser.shot('01-preview-7-days');

  // Thirty days take in the older calls too.
  await page.getByRole('group', { name: 'Preview range' }).getByRole('button', { name: '30 days' }).click();
  await page.locator('#preview-total').getByText('13 calls with a scope in the last 30 days').waitFor();
  assert.equal((await count('preview-denied').textContent()).trim(), '7');
  assert.equal((await count('preview-granted').textContent()).trim(), '4');
  assert.equal(await scopeCalls('preview-denied', 'write:orders').textContent(), '6 calls');
  assert.equal(await page.getByRole('button', { name: '30 days' }).getAttribute('aria-pressed'), 'true', 'the range in force is announced as pressed');
  await browser.shot('02-preview-30-days');
  await browser.assertClean();
});

test('a scope the server refuses is named beside the field, by its line', async () => {
  const scopes = page.locator('#agent-scopes');
  await scopes.fill('read:*\n\nwrite:[orders');
  await page
    .locator('#agent-scopes-error')
    .getByText(/^Line 3: /)
    .waitFor();
  assert.equal(await scopes.getAttribute('aria-invalid'), 'true');
  await scopes.fill('read:*\nadmin:*');
  await count('preview-granted').waitFor();
  assert.equal(await page.locator('#agent-scopes-error').textContent(), '');
  assert.equal(await scopes.getAttribute('aria-invalid'), null);
  assert.equal((await count('preview-granted').textContent()).trim(), '4', 'still over 30 days');
  await browser.assertClean();
});

test("saving adds the change to the agent's history, with who made it", async () => {
  const entries = page.locator('#agent-history .history-entry');
  await entries.first().waitFor();
  const before = await entries.count();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#agent-save-status').getByText('Saved.').waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('#agent-history .history-entry').length === n + 1, before);

  const api = await server.api('GET', `${agentsPath()}/${ordersBot.id}/history`);
  const [newest, previous] = api.json.changes;
  assert.equal(newest.changed_by, admin.email);
  assert.deepEqual(newest.new.scopes, ['read:*', 'admin:*']);
  assert.equal(previous.changed_by, 'operator');

  const top = entries.first();
  assert.equal(await top.getAttribute('data-version'), String(newest.version), 'newest first');
  await top.getByText(admin.email).waitFor();
  await top.locator('.diff-added').getByText('admin:*', { exact: true }).waitFor();
  await top.locator('.diff-removed').getByText('write:*', { exact: true }).waitFor();
  assert.equal(await top.locator('.diff-added, .diff-removed').count(), 2, 'read:* stayed, so it is not in the diff');
  await entries.nth(1).getByText('operator').waitFor();
  await browser.shot('03-history-after-save');

  // The open agent is in the URL: its page comes back on a reload.
  assert.equal(new URL(page.url()).searchParams.get('agent'), ordersBot.id);
  await page.reload();
  await page.locator('#agent-history .history-entry').first().getByText(admin.email).waitFor();
  await browser.assertClean();
});

test('the audit log shows the save as a policy change with its diff', async () => {
  await page.goto(`${server.origin}/projects/${project.projectId}/audit?agent_name=${AGENT}&action=policy_changed`);
  const row = page.locator('#audit-table tbody tr').first();
  await row.waitFor();
  await row.getByText('Policy change').waitFor();
  await row.locator('.policy-event').getByText(admin.email, { exact: true }).waitFor();
  await row.locator('.diff-added').getByText('admin:*', { exact: true }).waitFor();
  await row.locator('.diff-removed').getByText('write:*', { exact: true }).waitFor();
  await browser.shot('04-audit-policy-changed');
  await browser.assertClean();
});

test('an agent with no recorded calls says so rather than showing zeros', async () => {
  assert.equal((await server.api('POST', agentsPath(), { name: 'QuietBot', scopes: ['read:*'] })).status, 201);
  await page.goto(`${server.origin}/projects/${project.projectId}/agents`);
  await page.getByRole('button', { name: 'Edit QuietBot' }).click();
  await page.locator('#preview-empty').getByText('QuietBot made no calls with a scope in the last 7 days').waitFor();
  await page.locator('#agent-history .history-entry').getByText('Added to the policy').waitFor();
  await browser.assertClean();
});
