// The scope editor with its preview, the audit log's filters in the URL with
// pagination, and the CSV export checked against the API.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Server, Browser, setupAdmin, createProject, curlEvent, event } from './lib/harness.mjs';

let server;
let browser;
let page;
let project;

const url = (slug, q = '') => `${server.origin}/projects/${project.projectId}/${slug}${q}`;

const SEED = [
  event({ agent_name: 'SupportBot', scope: 'read:orders' }),
  event({ agent_name: 'SupportBot', action: 'permission_denied', scope: 'write:refunds', allowed: false, function_name: 'refund' }),
  event({
    agent_name: 'SupportBot',
    action: 'audit_violation',
    scope: 'delete:orders',
    allowed: false,
    function_name: 'purge',
    metadata: { note: '=cmd, "quoted"' },
  }),
  event({ agent_name: 'BillingBot', scope: 'read:invoices', function_name: 'list_invoices' }),
  event({ agent_name: 'BillingBot', action: 'callback_denied', scope: 'write:invoices', allowed: false, function_name: 'void_invoice' }),
];

before(async () => {
  server = await new Server().start();
  browser = new Browser('agents_audit');
  page = await browser.launch();
  await setupAdmin(page, server);
  project = await createProject(page, server.origin, 'billing');
  for (const e of SEED) assert.equal(curlEvent(server.origin, project.apiKey, e), 201);
  // Enough of one agent for a second page in the audit log (50 a page).
  const batch = Array.from({ length: 55 }, (_, i) => event({ agent_name: 'BatchBot', scope: 'read:catalog', function_name: `lookup_${i}` }));
  const res = await fetch(`${server.origin}/api/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': project.apiKey },
    body: JSON.stringify(batch),
  });
  assert.equal(res.status, 200);
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('agents seen at ingest are listed with their activity', async () => {
  await page.goto(url('agents'));
  const row = page.locator('#agents-table tbody tr[data-agent="SupportBot"]');
  await row.waitFor();
  await row.getByText('worker').waitFor();
  await page.locator('#agents-table tbody tr[data-agent="BillingBot"]').waitFor();
  assert.equal((await row.locator('td.num').first().textContent()).trim(), '3', 'SupportBot has three events');
  await browser.shot('01-agents');
  await browser.assertClean();
});

test('editing scopes previews what they grant and deny, and saves', async () => {
  await page.getByRole('button', { name: 'Edit SupportBot' }).click();
  const scopes = page.locator('#agent-scopes');
  // Against SupportBot's three calls: write:* would deny the granted read and
  // grant the denied refund, and still deny the delete.
  await scopes.fill('write:*');
  const denied = page.locator('#preview-denied-scopes');
  const granted = page.locator('#preview-granted-scopes');
  await denied.locator('li[data-scope="read:orders"]').waitFor();
  await granted.locator('li[data-scope="write:refunds"]').waitFor();
  assert.equal(await granted.locator('li[data-scope="delete:orders"]').count(), 0);
  await browser.shot('02-scope-preview');

  // A pattern that does not compile is refused, naming its line.
  await scopes.fill('read:*\nwrite:[orders');
  await page
    .locator('#agent-scopes-error')
    .getByText(/Line 2/)
    .waitFor();

  await scopes.fill('read:*\nwrite:invoices');
  await page.locator('#preview-unchanged').waitFor();
  await page.locator('#agent-role').fill('supervisor');
  await page.locator('#agent-ttl').fill('600');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#agent-save-status').getByText('Saved.').waitFor();
  const row = page.locator('#agents-table tbody tr[data-agent="SupportBot"]');
  await row.getByText('supervisor').waitFor();
  await row.getByText('10 min').waitFor();
  await browser.shot('03-agent-saved');

  const agents = await server.api('GET', `/api/v1/projects/${project.projectId}/agents`);
  const saved = agents.json.agents.find((a) => a.name === 'SupportBot');
  assert.deepEqual(saved.scopes, ['read:*', 'write:invoices']);
  assert.equal(saved.role, 'supervisor');
  assert.equal(saved.session_ttl_seconds, 600);
  await browser.assertClean();
});

test('at 1400 px with the editor open, every agent name is fully visible', async () => {
  // A long name, as agents are often named after their deployment.
  const long = 'InvoiceReconciliationAgent-eu-west-1';
  assert.equal(
    (await server.api('POST', `/api/v1/projects/${project.projectId}/agents`, { name: long, scopes: ['read:invoices', 'write:invoices', 'read:orders'] }))
      .status,
    201,
  );
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(url('agents'));
  await page.locator(`#agents-table tbody tr[data-agent="${long}"]`).waitFor();
  await page.getByRole('button', { name: 'Edit SupportBot' }).click();
  await page.locator('#agent-editor').waitFor();
  await browser.shot('04-agents-editor-1400');

  const layout = await page.evaluate(() => {
    const wrap = document.querySelector('#agents-table').closest('.table-wrap');
    const box = wrap.getBoundingClientRect();
    const names = [...document.querySelectorAll('#agents-table tbody th[scope="row"]')].map((cell) => {
      // The text's own box: a cell can fit while its text spills out of it.
      const range = document.createRange();
      range.selectNodeContents(cell);
      const text = range.getBoundingClientRect();
      const inside = (r, outer) => r.left >= outer.left - 0.5 && r.right <= outer.right + 0.5;
      return {
        name: cell.textContent,
        visible: inside(text, cell.getBoundingClientRect()) && inside(text, box) && text.left >= 0 && text.right <= window.innerWidth,
        overflows: cell.scrollWidth > cell.clientWidth,
      };
    });
    return { sideways: wrap.scrollWidth - wrap.clientWidth, names };
  });
  assert.ok(layout.names.length >= 4, `the table lists the agents: ${JSON.stringify(layout.names)}`);
  for (const n of layout.names) {
    assert.ok(n.visible && !n.overflows, `${n.name} is clipped beside the editor: ${JSON.stringify(n)}`);
  }
  assert.ok(layout.sideways <= 1, `the agents table scrolls sideways by ${layout.sideways}px beside the editor`);
  await page.setViewportSize({ width: 1280, height: 860 });
  await browser.assertClean();
});

test('audit filters live in the URL, so a filtered view can be shared', async () => {
  await page.goto(url('audit', '?agent_name=SupportBot&allowed=false'));
  await page.locator('#audit-table').waitFor();
  const rows = page.locator('#audit-table tbody tr');
  assert.equal(await rows.count(), 2);
  for (const text of await rows.allTextContents()) {
    assert.ok(text.includes('SupportBot') && text.includes('Denied'), text);
  }
  assert.equal(await page.locator('#audit-filters').getByLabel('Agent').inputValue(), 'SupportBot', 'the form shows the URL filters');
  await browser.shot('04-audit-filtered');

  // A cell narrows the view to its value, keeping the other filters.
  await page.locator('#audit-table tbody').getByRole('link', { name: 'write:refunds' }).click();
  await page.waitForURL((u) => u.searchParams.get('scope') === 'write:refunds' && u.searchParams.get('agent_name') === 'SupportBot');
  await page.locator('#audit-table tbody tr').first().waitFor();
  assert.equal(await page.locator('#audit-table tbody tr').count(), 1);

  await page.locator('#audit-filters').getByLabel('Agent').fill('BillingBot');
  await page.locator('#audit-filters').getByLabel('Scope').fill('');
  await page.locator('#audit-filters').getByLabel('Decision').selectOption('any');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL((u) => u.search === '?agent_name=BillingBot');
  await page.locator('#audit-table tbody tr').nth(1).waitFor();
  assert.equal(await page.locator('#audit-table tbody tr').count(), 2);

  // The same URL in a fresh tab gives the same view.
  const shared = await browser.context.newPage();
  browser.watch(shared);
  await shared.goto(page.url());
  await shared.locator('#audit-table tbody tr').nth(1).waitFor();
  assert.deepEqual(await shared.locator('#audit-table tbody tr').allTextContents(), await page.locator('#audit-table tbody tr').allTextContents());
  await shared.close();
  await browser.assertClean();
});

test('the audit log pages with the cursor', async () => {
  await page.goto(url('audit', '?agent_name=BatchBot'));
  await page.locator('#audit-table').waitFor();
  assert.equal(await page.locator('#audit-table tbody tr').count(), 50);
  const firstPage = await page.locator('#audit-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.eventId));
  await page.locator('#page-next').click();
  await page.waitForURL(/cursor=/);
  await page.locator('#audit-table').waitFor();
  const secondPage = await page.locator('#audit-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.eventId));
  assert.equal(secondPage.length, 5);
  assert.equal(secondPage.filter((id) => firstPage.includes(id)).length, 0, 'no event on both pages');
  assert.equal(await page.locator('#page-next').count(), 0, 'the last page has no next link');
  await browser.shot('05-audit-page-2');
});

// RFC 4180 rows (quoted cells with doubled quotes, newlines inside quotes).
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

test('the CSV export of a filtered view matches the API', async () => {
  await page.goto(url('audit', '?agent_name=SupportBot'));
  await page.locator('#audit-table').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  const rows = parseCsv(csv);
  assert.deepEqual(rows[0], ['id', 'timestamp', 'received_at', 'agent_id', 'agent_name', 'action', 'scope', 'allowed', 'function_name', 'metadata']);
  const body = rows.slice(1);

  const api = await server.api('GET', `/api/v1/projects/${project.projectId}/events?agent_name=SupportBot&limit=1000`);
  assert.equal(api.status, 200);
  const events = api.json.events;
  assert.equal(body.length, events.length);
  assert.deepEqual(
    body.map((r) => r[0]),
    events.map((e) => e.id),
    'same events, same order (newest first)',
  );
  for (const [r, e] of body.map((r, i) => [r, events[i]])) {
    assert.equal(r[4], e.agent_name);
    assert.equal(r[5], e.action);
    assert.equal(r[6], e.scope ?? '');
    assert.equal(r[7], String(e.allowed));
    assert.equal(r[8], e.function_name ?? '');
  }
  const purge = body.find((r) => r[8] === 'purge');
  assert.deepEqual(JSON.parse(purge[9]), { note: '=cmd, "quoted"' }, 'metadata survives the quoting');

  // NDJSON: one event a line, the same ids, then the audit checkpoints.
  const ndjson = await page.evaluate(async (href) => (await fetch(href)).text(), await page.locator('#export-ndjson').getAttribute('href'));
  const lines = ndjson
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => !('checkpoint' in l));
  assert.deepEqual(
    lines.map((e) => e.id),
    events.map((e) => e.id),
  );
  await browser.assertClean();
});
