// First-run setup from the link the server prints, logout, login (wrong and
// right), and a shared deep link surviving the login.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Server, Browser, setupAdmin, createProject } from './lib/harness.mjs';

let server;
let browser;
let page;

before(async () => {
  server = await new Server().start();
  browser = new Browser('setup_login');
  page = await browser.launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('a new server sends visitors to the login page, which explains the setup link', async () => {
  await page.goto(server.origin + '/');
  await page.waitForURL(/\/login$/);
  await page.getByText('This server has no account yet').waitFor();
  await browser.shot('01-login-before-setup');
  await browser.assertClean();
});

test('first-run setup: the token comes from the URL fragment and leaves the address bar', async () => {
  const link = await server.waitForSetupLink();
  assert.match(link, new RegExp(`^${server.origin}/setup#token=`), 'the link points at this server');
  await page.goto(link);
  assert.equal(new URL(page.url()).hash, '', 'the token is removed from the address bar at once');
  await browser.shot('02-setup');
  const creds = await setupAdmin(page, server);
  // Logged in: the shell shows who is signed in.
  await page.locator('.user-email').getByText(creds.email).waitFor();
  const cookies = await page.evaluate(() => document.cookie);
  assert.ok(!cookies.includes('agentsudo_session'), 'the session cookie is HttpOnly');
  await browser.shot('03-after-setup');
  await browser.assertClean();
});

test('the setup link works once', async () => {
  const link = server.setupLink();
  const second = await browser.context.newPage();
  browser.watch(second);
  await second.goto(link);
  await second.getByLabel('Email').fill('intruder@example.com');
  await second.getByLabel('Password', { exact: true }).fill('another long password');
  await second.getByLabel('Repeat the password').fill('another long password');
  await second.getByRole('button', { name: 'Create admin account' }).click();
  await second
    .getByRole('alert')
    .getByText(/already set up|wrong or expired/)
    .waitFor();
  await second.close();
});

test('log out, then a deep link asks for a login and comes back to it', async () => {
  await page.goto(server.origin + '/settings');
  await page.locator('#logout').click();
  await page.waitForURL(/\/login$/);
  // The session is really gone on the server, not only in the page.
  const session = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  assert.equal(session, 401);

  await page.goto(server.origin + '/settings');
  await page.waitForURL(/\/login\?next=%2Fsettings$/);
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').getByText('Wrong email or password.').waitFor();
  await browser.shot('04-login-wrong-password');

  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/settings$/);
  await page.locator('#account-email').getByText('admin@example.com').waitFor();
  await browser.shot('05-settings');
  await browser.assertClean();
});

async function login(email, password) {
  await page.goto(server.origin + '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname !== '/login');
}

async function logout() {
  await page.locator('#logout').click();
  await page.waitForURL(/\/login$/);
}

test('a user sees only the projects they are a member of', async () => {
  const alpha = await createProject(page, server.origin, 'alpha');
  const beta = await createProject(page, server.origin, 'beta');

  // Settings shows the project last opened (beta): add a user, then make them a member.
  await page.goto(server.origin + '/settings');
  await page.locator('#new-user-email').fill('bob@example.com');
  await page.locator('#new-user-password').fill('bobs long password');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.locator('#users-table').getByText('bob@example.com').waitFor();
  await page.locator('#member-email').fill('bob@example.com');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('#members').getByText('bob@example.com').waitFor();
  await browser.shot('06-settings-members');
  await logout();

  await login('bob@example.com', 'bobs long password');
  const options = await page.locator('#project-switcher option').allTextContents();
  assert.ok(options.includes('beta'), `bob sees beta: ${options}`);
  assert.ok(!options.includes('alpha'), `bob does not see alpha: ${options}`);
  await page.goto(`${server.origin}/projects/${alpha.projectId}/overview`);
  await page.getByRole('heading', { name: 'Not found' }).waitFor();
  await page.goto(`${server.origin}/projects/${beta.projectId}/overview`);
  await page.locator('[data-testid="stat-events"]').waitFor();
  assert.equal(await page.locator('#users-table').count(), 0);
  await logout();
  await browser.assertClean();
});

test('deleting a project asks for its name', async () => {
  await login('admin@example.com', 'correct horse battery staple');
  const doomed = await createProject(page, server.origin, 'doomed');
  await page.goto(server.origin + '/settings');
  await page.locator('#project-name').waitFor();
  assert.equal(await page.locator('#project-name').inputValue(), 'doomed');
  await page.locator('#delete-project').click();
  const dialog = page.getByRole('dialog');
  const confirm = dialog.getByRole('button', { name: 'Delete project' });
  assert.ok(await confirm.isDisabled(), 'disabled until the name is typed');
  await dialog.getByRole('textbox').fill('doome');
  assert.ok(await confirm.isDisabled());
  await dialog.getByRole('textbox').fill('doomed');
  await browser.shot('07-delete-project');
  await confirm.click();
  await page.waitForURL((u) => !u.pathname.startsWith('/settings'));
  const options = await page.locator('#project-switcher option').allTextContents();
  assert.ok(!options.includes('doomed'), `${options}`);
  const gone = await server.api('GET', `/api/v1/projects/${doomed.projectId}`);
  assert.equal(gone.status, 404);
  await browser.assertClean();
});
