// An agent built on the SDK asks a person before a refund: its request shows
// up in the dashboard (the count in the navigation on whatever page is open,
// the card in the inbox) without a reload; approving lets the waiting call
// run, denying with a reason stops it, and the audit log names who denied.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Server, Browser, setupAdmin, createProject, APPROVAL_EXAMPLE, HANG_GUARD_MS } from './lib/harness.mjs';

let server;
let browser;
let page;
let project;
let admin;

const EXAMPLE_DEADLINE_MS = 60_000;

// Runs the SDK example against the server; resolves with its exit code and output.
function runExample() {
  assert.ok(existsSync(APPROVAL_EXAMPLE), `no SDK example at ${APPROVAL_EXAMPLE}: build example_approval_request first`);
  const proc = spawn(APPROVAL_EXAMPLE, [], {
    env: { ...process.env, AGENTSUDO_URL: server.origin, AGENTSUDO_API_KEY: project.apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  proc.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the example did not exit within ${EXAMPLE_DEADLINE_MS} ms:\n${stdout}${stderr}`));
    }, EXAMPLE_DEADLINE_MS);
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { proc, exited };
}

const approvalsPath = (rest = '') => `/api/v1/projects/${project.projectId}/approvals${rest}`;
const badge = () => page.locator('#pending-count');
const card = () => page.locator('#approvals-pending article.approval');

async function pendingFromApi() {
  const res = await server.api('GET', approvalsPath('?status=pending'));
  assert.equal(res.status, 200, res.text);
  return res.json.approvals;
}

// Marks the document, so a later check can tell it was never reloaded.
const markDocument = () => page.evaluate(() => (window.__sameDocument = true));
const stillSameDocument = async () => assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded');

before(async () => {
  server = await new Server().start();
  browser = new Browser('approvals');
  page = await browser.launch();
  admin = await setupAdmin(page, server);
  project = await createProject(page, server.origin, 'refunds');
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('a request from an SDK process is counted in the navigation and approved in the inbox; the call runs', async () => {
  await page.goto(`${server.origin}/projects/${project.projectId}/overview`);
  await page.getByRole('link', { name: /^Approvals/ }).waitFor();
  assert.equal(await badge().isHidden(), true, 'nothing pending yet');
  await markDocument();

  const run = runExample();
  // On the overview, not the approvals page: the count follows on every page.
  await badge().getByText('1', { exact: true }).waitFor({ timeout: HANG_GUARD_MS });
  assert.equal(await badge().isVisible(), true);
  const [request] = await pendingFromApi();
  assert.ok(request, 'the example asked for an approval');
  await stillSameDocument();
  await browser.shot('01-count-in-navigation');

  await page.getByRole('link', { name: /^Approvals/ }).click();
  await page.waitForURL(/\/approvals$/);
  const shown = card();
  await shown.waitFor();
  assert.equal(await shown.getAttribute('data-approval-id'), request.id);
  await shown.locator('.approval-agent').getByText(request.agent_name, { exact: true }).waitFor();
  await shown.locator('h3 code').getByText(request.scope, { exact: true }).waitFor();
  if (request.function_name) await shown.getByText(request.function_name, { exact: true }).waitFor();
  if (request.preview) await shown.locator('.approval-preview').getByText(request.preview, { exact: true }).waitFor();
  await shown.locator('[data-since]').getByText(/ ago$/).waitFor();
  await shown
    .locator('[data-until]')
    .getByText(/ left$/)
    .waitFor();
  await browser.shot('02-inbox');

  await shown.getByRole('button', { name: 'Approve once' }).click();
  await page
    .locator('#approvals-status .notice-success')
    .getByText(/^Approved once: /)
    .waitFor();
  const result = await run.exited;
  assert.equal(result.code, 0, `the example failed:\n${result.stdout}${result.stderr}`);
  assert.match(result.stdout, /refund issued/);

  await badge().waitFor({ state: 'hidden' });
  await page.locator('#approvals-empty').waitFor();
  const row = page.locator(`#approvals-history-table tr[data-approval-id="${request.id}"]`);
  await row.getByText('Approved', { exact: true }).waitFor();
  await row.locator('.decided-by').getByText(admin.email, { exact: true }).waitFor();
  await stillSameDocument();
  await browser.shot('03-approved');
  await browser.assertClean();
});

test('a request denied with a reason stops the call, and the audit log names the decider', async () => {
  await markDocument();
  const run = runExample();
  // The approvals page is open: the card arrives by itself.
  const shown = card();
  await shown.waitFor({ timeout: HANG_GUARD_MS });
  await badge().getByText('1', { exact: true }).waitFor();
  const id = await shown.getAttribute('data-approval-id');

  await shown.getByLabel('Reason').fill('refunds over 100 need a second look');
  await shown.getByRole('button', { name: 'Deny' }).click();
  await page
    .locator('#approvals-status .notice-success')
    .getByText(/^Denied: /)
    .waitFor();
  const result = await run.exited;
  assert.equal(result.code, 3, `the example should exit 3 when denied:\n${result.stdout}${result.stderr}`);
  assert.doesNotMatch(result.stdout, /refund issued/);

  await page.locator('#history-status').selectOption('denied');
  const row = page.locator(`#approvals-history-table tr[data-approval-id="${id}"]`);
  await row.locator('.decided-by').getByText(admin.email, { exact: true }).waitFor();
  await row.locator('.decision-reason').getByText('refunds over 100 need a second look').waitFor();
  // The table of the previous filter also holds this row until the denied
  // list replaces it, so wait for the replacement rather than count at once.
  await page.waitForFunction(() => document.querySelectorAll('#approvals-history-table tbody tr').length === 1, null, {
    timeout: HANG_GUARD_MS,
  });
  assert.equal(await page.locator('#approvals-history-table tbody tr').count(), 1, 'only the denied request under "Denied"');
  await stillSameDocument();
  await browser.shot('04-denied');

  await page.goto(`${server.origin}/projects/${project.projectId}/audit?action=approval_denied`);
  const event = page.locator('#audit-table tbody tr').first();
  await event.waitFor();
  await event.getByText('Denied by a person').waitFor();
  await event.locator('.approval-decider').getByText(admin.email, { exact: true }).waitFor();
  await event.getByText('“refunds over 100 need a second look”').waitFor();
  assert.equal(await page.locator('#audit-table tbody tr').count(), 1);
  await browser.shot('05-audit-denied');
  await browser.assertClean();
});

// One call of an agent in approval mode, over HTTP as any language would send it.
async function checkInApprovalMode(agent, preview) {
  const res = await fetch(`${server.origin}/v1/check`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': project.apiKey },
    body: JSON.stringify({ agent_name: agent, scope: 'write:refunds', function_name: 'refund', on_denial: 'approval', preview }),
  });
  assert.equal(res.status, 200);
  return res.json();
}

test('deciding a request someone else already decided says who did', async () => {
  const asked = await checkInApprovalMode('RefundBot', 'order 7, 20 EUR');
  assert.equal(asked.action, 'approval_requested', JSON.stringify(asked));

  await page.goto(`${server.origin}/projects/${project.projectId}/approvals?id=${asked.approval.id}`);
  const shown = page.locator(`article.approval[data-approval-id="${asked.approval.id}"]`);
  await shown.waitFor();
  assert.equal(await shown.getAttribute('aria-current'), 'true', 'the request the link names is marked');
  // The page has not yet heard of the operator's decision below, as when two
  // people decide at once: its pending list stays as it was.
  const stale = await pendingFromApi();
  const pendingList = (url) => url.pathname.endsWith('/approvals') && url.searchParams.get('status') === 'pending';
  await page.route(pendingList, (route) => route.fulfill({ json: { approvals: stale, next_cursor: null } }));
  const first = await server.api('POST', approvalsPath(`/${asked.approval.id}/approve`), { reason: 'on call' });
  assert.equal(first.status, 200, first.text);

  await shown.getByRole('button', { name: 'Deny' }).click();
  const error = page.locator('#approvals-status .notice-error');
  await error.waitFor();
  assert.match(await error.textContent(), /already approved by operator/);
  await browser.shot('06-conflict');
  await page.unroute(pendingList);

  // The webhook's link names only the request; it opens in its project.
  await page.goto(`${server.origin}/approvals?id=${asked.approval.id}`);
  await page.waitForURL((url) => url.pathname === `/projects/${project.projectId}/approvals` && url.searchParams.get('id') === asked.approval.id);
  const summary = page.locator(`#approval-selected [data-approval-id="${asked.approval.id}"]`);
  await summary.getByText('Approved', { exact: true }).waitFor();
  await summary.getByText(/by operator$/).waitFor();
  await browser.assertClean();
});

test('approving for some minutes lets the agent use the scope until then', async () => {
  await page.goto(`${server.origin}/projects/${project.projectId}/approvals`);
  await page.locator('#approvals-history-table').waitFor();
  await markDocument();
  const asked = await checkInApprovalMode('BulkBot', 'nightly refunds batch');
  assert.equal(asked.action, 'approval_requested', JSON.stringify(asked));
  const shown = page.locator(`article.approval[data-approval-id="${asked.approval.id}"]`);
  await shown.waitFor({ timeout: HANG_GUARD_MS });

  await shown.getByLabel('Minutes the agent keeps the scope').fill('30');
  await shown.getByRole('button', { name: 'Approve for 30 min' }).click();
  await page
    .locator('#approvals-status .notice-success')
    .getByText(/^Approved for 30 min: /)
    .waitFor();
  await shown.waitFor({ state: 'detached' });
  const row = page.locator(`#approvals-history-table tr[data-approval-id="${asked.approval.id}"]`);
  await row.getByText(/^Scope granted until /).waitFor();

  const [item] = (await server.api('GET', approvalsPath('?status=approved'))).json.approvals.filter((a) => a.id === asked.approval.id);
  const minutes = (Date.parse(item.grant_until) - Date.parse(item.decided_at)) / 60_000;
  assert.ok(Math.abs(minutes - 30) < 0.1, `granted for ${minutes} min`);
  const next = await checkInApprovalMode('BulkBot', 'the next refund');
  assert.equal(next.allowed, true, 'the grant covers the next call without asking');
  assert.equal(next.approval_id, asked.approval.id);
  await stillSameDocument();
  await browser.assertClean();
});
