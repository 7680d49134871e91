// Settings as a member who is not an admin: the project's tier is shown but
// cannot be changed (quotas are an admin's decision), new projects start free,
// and the member changes their own password, which signs out their other
// sessions and keeps this one.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Browser, setupAdmin, createProject } from './lib/harness.mjs';

let server;
let browser;
let page;
let shared;

const BOB = 'bob@example.com';
const OLD_PASSWORD = 'bobs long password';
const NEW_PASSWORD = 'bobs newer passphrase';

before(async () => {
  server = await new Server().start();
  browser = new Browser('account_settings');
  page = await browser.launch();
  await setupAdmin(page, server);
  shared = await createProject(page, server.origin, 'shared');
  const bob = await server.api('POST', '/api/v1/users', { email: BOB, password: OLD_PASSWORD });
  assert.equal(bob.status, 201, bob.text);
  const member = await server.api('POST', `/api/v1/projects/${shared.projectId}/members`, { email: BOB });
  assert.equal(member.status, 201, member.text);
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// A login outside the browser: another session of the same person.
async function loginElsewhere(email, password) {
  const res = await fetch(`${server.origin}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  return { status: res.status, cookie };
}

async function sessionStatus(cookie) {
  return (await fetch(`${server.origin}/api/v1/session`, { headers: { Cookie: cookie } })).status;
}

test('an admin picks the tier in the project settings', async () => {
  await page.goto(`${server.origin}/settings`);
  await page.locator('#project-settings select[name="tier"]').waitFor();
  await page.locator('#logout').click();
  await page.waitForURL(/\/login$/);
});

test('a member sees the tier read-only, may rename, and starts projects on the free tier', async () => {
  await page.getByLabel('Email').fill(BOB);
  await page.getByLabel('Password').fill(OLD_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname !== '/login');

  await page.goto(`${server.origin}/settings`);
  const tier = page.locator('#project-tier');
  await tier.waitFor();
  assert.equal(await tier.inputValue(), 'Free (1,000 events a day)');
  assert.equal(await tier.getAttribute('readonly'), '', 'the tier is read-only');
  assert.equal(await page.locator('#project-settings select').count(), 0, 'no tier chooser');
  await page.getByText('Only an admin can change the tier').first().waitFor();
  await browser.shot('01-member-project-settings');

  await page.locator('#project-name').fill('shared and renamed');
  await page.getByRole('button', { name: 'Save project' }).click();
  await page.locator('#project-settings').getByText('Saved.').waitFor();
  const project = await server.api('GET', `/api/v1/projects/${shared.projectId}`);
  assert.equal(project.json.name, 'shared and renamed');
  assert.equal(project.json.tier.name, 'free');

  await page.goto(`${server.origin}/projects`);
  assert.equal(await page.locator('#create-project select').count(), 0, 'no tier chooser for a new project');
  assert.equal(await page.locator('#new-project-tier').inputValue(), 'Free (1,000 events a day)');
  const own = await createProject(page, server.origin, 'bobs');
  const created = await server.api('GET', `/api/v1/projects/${own.projectId}`);
  assert.equal(created.json.tier.name, 'free');
  await browser.assertClean();
});

test('a wrong current password is said so, and signs nobody out', async () => {
  await page.goto(`${server.origin}/settings`);
  await page.getByLabel('Current password').fill('not my password at all');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.locator('#change-password').getByText('The current password is wrong.').waitFor();
  assert.ok(new URL(page.url()).pathname.startsWith('/settings'), 'still signed in, still on settings');
  assert.equal((await loginElsewhere(BOB, OLD_PASSWORD)).status, 200);
});

test('changing the password signs out the other sessions and keeps this one', async () => {
  const elsewhere = await loginElsewhere(BOB, OLD_PASSWORD);
  assert.equal(elsewhere.status, 200);
  assert.equal(await sessionStatus(elsewhere.cookie), 200);

  await page.goto(`${server.origin}/settings`);
  await page.getByLabel('Current password').fill(OLD_PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.locator('#change-password').getByText('Password changed.').waitFor();
  await browser.shot('02-password-changed');

  assert.equal(await sessionStatus(elsewhere.cookie), 401, 'the other session ended');
  await page.reload();
  await page.locator('#account-email').getByText(BOB).waitFor();
  assert.equal((await loginElsewhere(BOB, OLD_PASSWORD)).status, 401);
  assert.equal((await loginElsewhere(BOB, NEW_PASSWORD)).status, 200);
  await browser.assertClean();
});
