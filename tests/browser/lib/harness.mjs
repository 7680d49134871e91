// What every browser test needs: the real agentsudo-server on a free port with
// a temporary data directory, Debian's Chromium driven by playwright-core with
// a fresh profile, screenshots kept as artefacts, and a watch for the errors a
// person would not see (CSP violations, uncaught exceptions).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');

export const SERVER_BIN = process.env.AGENTSUDO_SERVER_BIN || path.join(repo, 'build', 'bin', 'agentsudo-server');
export const WEB_DIR = process.env.AGENTSUDO_WEB_DIR || path.join(repo, 'build', 'web');
export const CHROMIUM = process.env.AGENTSUDO_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.AGENTSUDO_BROWSER_ARTIFACTS || path.join(repo, 'build', 'browser-artifacts');
// The SDK example that asks a person before issuing a refund.
export const APPROVAL_EXAMPLE = process.env.AGENTSUDO_APPROVAL_EXAMPLE || path.join(repo, 'build', 'bin', 'example_approval_request');

const STARTUP_MS = 10_000;

// One server process. Its stdout is kept, for the setup link among others.
export class Server {
  constructor() {
    this.dataDir = mkdtempSync(path.join(tmpdir(), 'agentsudo-browser-'));
    this.stdout = '';
    this.stderr = '';
    this.proc = null;
    this.origin = null;
    this.ready = null; // what the server wrote to --ready-file
    this.token = null;
  }

  async start() {
    assert.ok(existsSync(SERVER_BIN), `no server binary at ${SERVER_BIN}: build it first`);
    assert.ok(existsSync(path.join(WEB_DIR, 'index.html')), `no built dashboard in ${WEB_DIR}: build it first`);
    const readyFile = path.join(this.dataDir, 'ready.json');
    this.proc = spawn(SERVER_BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', this.dataDir, '--web-dir', WEB_DIR, '--ready-file', readyFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk) => (this.stdout += chunk));
    this.proc.stderr.on('data', (chunk) => (this.stderr += chunk));
    const deadline = Date.now() + STARTUP_MS;
    while (Date.now() < deadline) {
      if (existsSync(readyFile)) {
        this.ready = JSON.parse(readFileSync(readyFile, 'utf8'));
        this.origin = this.ready.url;
        return this;
      }
      if (this.proc.exitCode !== null) break;
      await sleep(20);
    }
    throw new Error(`the server did not start:\n${this.logs()}`);
  }

  // The one-time setup link the server offered on start, if it offered one.
  setupLink() {
    return this.ready?.setup_url ?? null;
  }

  async waitForSetupLink() {
    const link = this.setupLink();
    if (!link) throw new Error(`the server offered no setup link:\n${this.logs()}`);
    return link;
  }

  // The admin CLI of the same binary, on this server's data directory.
  cli(...args) {
    const out = spawnSync(SERVER_BIN, [...args, '--data-dir', this.dataDir], { encoding: 'utf8', timeout: 15_000 });
    if (out.status !== 0) throw new Error(`${args.join(' ')} failed (${out.status}): ${out.stdout}${out.stderr}`);
    return out.stdout;
  }

  // A management token (asm_...), to check what the dashboard shows against the API.
  managementToken() {
    if (!this.token) this.token = JSON.parse(this.cli('token', 'create', '--json')).token;
    return this.token;
  }

  async api(method, route, body) {
    const res = await fetch(this.origin + route, {
      method,
      headers: { Authorization: `Bearer ${this.managementToken()}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((resolve) => this.proc.once('exit', resolve));
      this.proc.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  logs() {
    return `---- server stdout ----\n${this.stdout.slice(-4000)}\n---- server stderr ----\n${this.stderr.slice(-4000)}`;
  }
}

// Sends one event the way the quick-start tells a person to: with cURL.
// Returns the HTTP status.
export function curlEvent(origin, apiKey, event) {
  const out = spawnSync(
    'curl',
    [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-X',
      'POST',
      `${origin}/ingest-event`,
      '-H',
      'Content-Type: application/json',
      '-H',
      `X-API-Key: ${apiKey}`,
      '-d',
      JSON.stringify(event),
    ],
    { encoding: 'utf8', timeout: 15_000 },
  );
  assert.equal(out.status, 0, `curl failed: ${out.stderr}`);
  return Number(out.stdout);
}

// Sends one event with Node's fetch, as an SDK would. Returns the HTTP status.
export async function postEvent(origin, apiKey, event) {
  const res = await fetch(`${origin}/ingest-event`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': apiKey },
    body: JSON.stringify(event),
  });
  await res.arrayBuffer();
  return res.status;
}

// How long a browser wait may take before the test is declared hung: a guard
// against hanging, not a performance bound (a busy machine may be slow).
export const HANG_GUARD_MS = 15_000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Chromium headless with a fresh profile, as the project runs it everywhere.
export class Browser {
  constructor(testName) {
    this.testName = testName;
    this.profile = mkdtempSync(path.join(tmpdir(), 'agentsudo-chromium-'));
    this.shots = path.join(ARTIFACTS, testName);
    mkdirSync(this.shots, { recursive: true });
    this.problems = [];
    this.context = null;
  }

  async launch({ viewport = { width: 1280, height: 860 } } = {}) {
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport,
      acceptDownloads: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    this.context.setDefaultTimeout(10_000);
    // Runs before the page's own scripts (through the DevTools protocol, so the
    // CSP does not apply to it): records every CSP violation.
    await this.context.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    this.page = this.context.pages()[0] || (await this.context.newPage());
    this.watch(this.page);
    return this.page;
  }

  watch(page) {
    page.on('pageerror', (error) => this.problems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy/i.test(text)) this.problems.push(`CSP: ${text}`);
    });
    page.on('requestfailed', (request) => {
      const url = new URL(request.url());
      // Only our own origin is ever asked for; a failed asset is a broken page.
      if (!url.pathname.startsWith('/api/') && !/ERR_ABORTED/.test(request.failure()?.errorText || '')) {
        this.problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
      }
    });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http') && url.hostname !== '127.0.0.1') this.problems.push(`external request: ${request.url()}`);
    });
  }

  async shot(name, page = this.page) {
    await page.screenshot({ path: path.join(this.shots, `${name}.png`), fullPage: true });
  }

  // Fails the test on any CSP violation, uncaught error or external request.
  async assertClean(page = this.page) {
    const csp = await page.evaluate(() => window.__cspViolations || []);
    assert.deepEqual([...this.problems, ...csp.map((v) => `CSP: ${v}`)], [], 'the page broke its CSP, threw, or loaded something from elsewhere');
  }

  async close() {
    if (this.context) await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

// First-run setup through the UI, from the link the server printed.
export async function setupAdmin(page, server, { email = 'admin@example.com', password = 'correct horse battery staple' } = {}) {
  const link = await server.waitForSetupLink();
  await page.goto(link);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the password').fill(password);
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/setup'));
  return { email, password };
}

// Creates a project through the UI; returns its id and the key shown once.
export async function createProject(page, origin, name) {
  await page.goto(`${origin}/projects`);
  await page.locator('#create-project').getByLabel('Name').fill(name);
  await page.locator('#create-project').getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(/\/projects\/[^/]+\/keys$/);
  const projectId = page.url().split('/projects/')[1].split('/')[0];
  const apiKey = (await page.locator('#new-api-key').textContent()).trim();
  assert.match(apiKey, /^as_[A-Za-z0-9_-]{20,}$/);
  return { projectId, apiKey };
}

export function event(overrides = {}) {
  return { agent_name: 'SupportBot', action: 'permission_check', scope: 'read:orders', allowed: true, function_name: 'get_order', ...overrides };
}
