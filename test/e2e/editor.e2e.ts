/**
 * The editor, in a real browser against a real Node-RED and the simulator:
 * config dialog (Test connection: a failure with its hint, then "connected: 5 devices"), deploy, inject,
 * device names in the debug sidebar; the device and customer pickers; a wrong DevEUI refused inline;
 * the secret kept out of the admin API and the flow file; the downlinks and request dialogs; and the
 * uplink node: its URL copied from the dialog, a generated secret, and a simulator push to that URL
 * showing in the debug sidebar.
 *
 * Run: npm run build && npm run test:e2e (needs /usr/bin/chromium). Screenshots: test/e2e/artifacts/.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSimulator } from '../../lib/simulator';
import type { Simulator } from '../../lib/simulator/types';

const ROOT = path.join(__dirname, '..', '..', '..');
const ARTIFACTS = path.join(ROOT, 'test', 'e2e', 'artifacts');
const README_IMAGE = path.join(ROOT, 'docs', 'images', 'editor-demo.png');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PACKAGE_NAME = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string }
).name;
const WRONG_SECRET = 'not-the-secret-0f1e2d3c';

/** Node ids of the imported flow (they start with a letter: usable in CSS selectors). */
const ID = {
  inject: 'ee00000000000001',
  devices: 'ee00000000000002',
  debug: 'ee00000000000003',
  downlink: 'ee00000000000004',
  customer: 'ee00000000000005',
  devices010: 'ee00000000000006',
  downlinks: 'ee000000000000d1',
  request: 'ee000000000000d2',
  uplink: 'ee00000000000007',
  uplinkDebug: 'ee00000000000008',
};

/** The editor's RED global, as far as this test uses it. */
interface EditorGlobal {
  RED: {
    view: { importNodes(nodes: unknown[], options: Record<string, boolean>): void };
    workspaces: { active(): string };
    nodes: { node(id: string): Record<string, unknown> | null };
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not within ${ms} ms${last ? ` (${String(last)})` : ''}`);
}

describe('editor (browser end to end)', function () {
  let sim: Simulator;
  let userDir: string;
  let port: number;
  let base: string;
  let red: ChildProcess | undefined;
  let redLog = '';
  let browser: Browser | undefined;
  let page: Page;
  let shot = 0;
  let configId = '';

  async function screenshot(name: string): Promise<string> {
    shot++;
    const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    return file;
  }

  async function api(method: string, urlPath: string): Promise<{ status: number; text: string }> {
    const res = await fetch(base + urlPath, { method });
    return { status: res.status, text: await res.text() };
  }

  /** Removes the editor's notifications (Imported, Deployed, …) so screenshots show the flow. */
  async function clearNotifications(): Promise<void> {
    await page.locator('.red-ui-notification').evaluateAll((elements) => elements.forEach((e) => e.remove()));
  }

  /** Opens a node's edit dialog by double-clicking it on the canvas. */
  async function openNode(id: string): Promise<void> {
    await page.locator(`[id="${id}"] .red-ui-flow-node`).dblclick();
    await page.locator('#red-ui-editor-stack .red-ui-tray').first().waitFor();
  }

  /** Sets a TypedInput's type through its type menu, as a user does. */
  async function chooseType(inputId: string, type: string): Promise<void> {
    const row = page.locator(`.form-row:has(#${inputId})`);
    await row.locator('.red-ui-typedInput-type-select').click();
    await page.locator(`.red-ui-typedInput-options:visible a[value="${type}"]`).click();
  }

  before(async function () {
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    sim = await startSimulator({ deviceCount: 5, customerCount: 3 });
    port = await freePort();
    base = `http://127.0.0.1:${port}`;

    // A Node-RED user dir with this package installed as a symlink, and an empty flow.
    fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true }); // absent in a fresh clone
    userDir = fs.mkdtempSync(path.join(ROOT, '.tmp', 'e2e-'));
    const link = path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(ROOT, link, 'dir');
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'e2e', private: true }));
    fs.writeFileSync(path.join(userDir, 'flows.json'), '[]');
    const settings = {
      uiHost: '127.0.0.1',
      uiPort: port,
      flowFile: 'flows.json',
      credentialSecret: 'e2e-credential-secret',
      logging: { console: { level: 'info' } },
      telemetry: { enabled: false, updateNotification: false },
      diagnostics: { enabled: false, ui: false },
      editorTheme: { projects: { enabled: false }, tours: false },
    };
    fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);

    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('KPN_THINGS_')) delete env[name];
    red = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'node-red', 'red.js'), '-u', userDir, '-p', String(port)],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    red.stdout?.on('data', (chunk: Buffer) => (redLog += chunk.toString()));
    red.stderr?.on('data', (chunk: Buffer) => (redLog += chunk.toString()));
    await waitFor('Node-RED answering', 40_000, async () => {
      if (red?.exitCode !== null) throw new Error(`Node-RED exited:\n${redLog}`);
      return (await api('GET', '/settings')).status === 200 ? true : undefined;
    });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
    page.setDefaultTimeout(15_000);
  });

  after(async function () {
    await browser?.close().catch(() => undefined);
    if (red && red.exitCode === null) {
      const exited = new Promise((resolve) => red?.once('exit', resolve));
      red.kill('SIGTERM');
      const timer = setTimeout(() => red?.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'node-red.log'), redLog);
    await sim?.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  // The steps build on each other: after a failure, save what the page looked like and skip the rest.
  let failed = false;
  beforeEach(function () {
    if (failed) this.skip();
  });
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    failed = true;
    await screenshot('failed').catch(() => undefined);
    const html = await page.content().catch(() => '');
    fs.writeFileSync(path.join(ARTIFACTS, 'failed.html'), html);
  });

  it('opens the editor with the KPN Things palette', async () => {
    await page.goto(base + '/');
    await page.locator('.red-ui-palette-node[data-palette-type="kpn-things-devices"]').waitFor();
    await page.locator('.red-ui-palette-node[data-palette-type="kpn-things-downlink"]').waitFor();
    await screenshot('editor');
  });

  it('adds a config node through its dialog; Test connection reports a failure, then 5 devices', async () => {
    await page.evaluate(
      ([ids]) => {
        const { RED } = globalThis as unknown as EditorGlobal;
        const z = RED.workspaces.active();
        RED.view.importNodes(
          [
            {
              id: ids.inject,
              type: 'inject',
              z,
              name: 'list devices',
              props: [{ p: 'payload' }],
              repeat: '',
              once: false,
              topic: '',
              payload: '',
              payloadType: 'date',
              x: 160,
              y: 100,
              wires: [[ids.devices]],
            },
            {
              id: ids.devices,
              type: 'kpn-things-devices',
              z,
              config: '',
              x: 380,
              y: 100,
              wires: [[ids.debug]],
            },
            {
              id: ids.debug,
              type: 'debug',
              z,
              name: 'device names',
              active: true,
              tosidebar: true,
              console: false,
              complete: 'payload.name',
              targetType: 'jsonata',
              x: 600,
              y: 100,
              wires: [],
            },
          ],
          { touchImport: true, generateIds: false, applyNodeDefaults: true },
        );
      },
      [ID] as const,
    );
    await clearNotifications();
    await openNode(ID.devices);
    // No account yet: the "+" next to Account (Node-RED 4; the pencil in 3.x) opens the config node's dialog.
    await page.locator('#node-input-btn-config-add, #node-input-lookup-config').first().click();
    await page.locator('#node-config-input-tenantId').waitFor();
    await page.fill('#node-config-input-name', 'simulator');
    await page.fill('#node-config-input-tenantId', sim.credentials.tenantId);
    await page.fill('#node-config-input-clientId', sim.credentials.clientId);
    await page.fill('#node-config-input-clientSecret', WRONG_SECRET);
    if (!(await page.locator('#node-config-input-apiUrl').isVisible())) {
      await page.locator('#kpn-things-config-advanced-toggle').click();
    }
    await page.fill('#node-config-input-apiUrl', sim.apiUrl);
    await page.fill('#node-config-input-gripUrl', sim.gripUrl);
    await page.selectOption('#node-config-input-proxy', 'none');

    const result = page.locator('#kpn-things-config-test-result');
    await page.locator('#kpn-things-config-test').click();
    await page.locator('#kpn-things-config-test-result[data-result="error"]').waitFor();
    const failure = await result.innerText();
    assert.match(failure, /GRIP token request failed \(401\)/);
    assert.match(failure, /secret is wrong/);
    assert.ok(!failure.includes(WRONG_SECRET), 'the typed secret is not shown');
    await screenshot('config-test-failed');

    await page.fill('#node-config-input-clientSecret', sim.credentials.clientSecret);
    await page.locator('#kpn-things-config-test').click();
    await page.locator('#kpn-things-config-test-result[data-result="ok"]').waitFor();
    assert.equal((await result.innerText()).trim(), 'Connected: 5 devices visible');
    await screenshot('config-test-ok');

    await page.locator('#node-config-dialog-ok').click();
    await page.locator('#node-config-input-tenantId').waitFor({ state: 'detached' });
    configId = await page.locator('#node-input-config').inputValue();
    assert.ok(configId && configId !== '_ADD_', 'the new config node is selected');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#red-ui-editor-stack .red-ui-tray').first().waitFor({ state: 'detached' });
  });

  it('before the config node is deployed, the device picker says to deploy it first', async () => {
    await page.evaluate(
      ([ids, config]) => {
        const { RED } = globalThis as unknown as EditorGlobal;
        const z = RED.workspaces.active();
        RED.view.importNodes(
          [
            { id: ids.downlink, type: 'kpn-things-downlink', z, config, x: 380, y: 200, wires: [[]] },
            { id: ids.customer, type: 'kpn-things-customer', z, config, x: 380, y: 280, wires: [[]] },
          ],
          { touchImport: true, generateIds: false, applyNodeDefaults: true },
        );
      },
      [ID, configId] as const,
    );
    await clearNotifications();
    await openNode(ID.downlink);
    assert.equal(await page.locator('#node-input-config').inputValue(), configId);
    const pick = page.locator('#kpn-things-downlink-pick');
    assert.equal(await pick.isVisible(), false, 'no picker while the DevEUI comes from msg');
    await chooseType('node-input-devEUI', 'str');
    await pick.click();
    const message = page.locator(
      '#kpn-things-downlink-picker .kpn-things-picker-message[data-state="deploy-first"]',
    );
    await message.waitFor();
    assert.match(await message.innerText(), /Deploy the config node first/);
    await screenshot('downlink-picker-deploy-first');
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#red-ui-editor-stack .red-ui-tray').first().waitFor({ state: 'detached' });
  });

  it('deploys, runs the flow from the inject button, and shows the device names in the debug sidebar', async () => {
    await page.locator('#red-ui-header-button-deploy').click();
    await page.locator('#red-ui-header-button-deploy.disabled').waitFor();
    await waitFor('the flow deployed', 10_000, async () =>
      (await api('GET', '/flows')).text.includes(ID.devices) ? true : undefined,
    );
    await page.locator('#red-ui-tab-debug-link-button').click();
    await page.locator(`[id="${ID.inject}"] .red-ui-flow-node-button`).click();
    const message = page.locator('.red-ui-debug-msg').filter({ hasText: 'device names' }).first();
    await message.waitFor();
    // The devices node's status shows the count (for 10 s).
    await page
      .locator(`[id="${ID.devices}"] .red-ui-flow-node-status-label`)
      .filter({ hasText: '5 devices' })
      .waitFor();
    const rows = message.locator('.red-ui-debug-msg-array-rows .red-ui-debug-msg-object-entry');
    if (!(await rows.first().isVisible()))
      await message.locator('.red-ui-debug-msg-object-handle').first().click();
    await rows.filter({ hasText: 'Water meter 001' }).waitFor();
    assert.equal(await rows.count(), 5);
    assert.match(await message.innerText(), /array\[5\]/);
    await clearNotifications();
    const file = await screenshot('debug-devices');
    assert.ok(fs.statSync(file).size < 300 * 1024, 'README-sized screenshot under 300 KB');
    // A test run never changes tracked files: the README image is refreshed only on request.
    if (process.env.UPDATE_README_IMAGE === '1') {
      fs.mkdirSync(path.dirname(README_IMAGE), { recursive: true });
      fs.copyFileSync(file, README_IMAGE);
    }
  });

  it('keeps the secret out of the admin API and the flow file', async () => {
    const creds = await api('GET', `/credentials/kpn-things-config/${configId}`);
    assert.equal(creds.status, 200);
    const body = JSON.parse(creds.text) as Record<string, unknown>;
    assert.equal(body.has_clientSecret, true);
    assert.equal(body.clientSecret, undefined);
    assert.equal(body.clientId, sim.credentials.clientId);
    assert.ok(!creds.text.includes(sim.credentials.clientSecret));
    const flows = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
    assert.ok(flows.includes(configId), 'the config node is in flows.json');
    assert.ok(!flows.includes(sim.credentials.clientSecret), 'no secret in flows.json');
    const stored = fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8');
    assert.ok(!stored.includes(sim.credentials.clientSecret), 'flows_cred.json is encrypted');
    assert.ok(!(await api('GET', '/flows')).text.includes(sim.credentials.clientSecret));
  });

  it('downlink dialog: picks a DevEUI from the account, and refuses a wrong one inline', async () => {
    await openNode(ID.downlink);
    await chooseType('node-input-devEUI', 'str');
    await page.locator('#kpn-things-downlink-pick').click();
    const items = page.locator('#kpn-things-downlink-picker .kpn-things-picker-item a[data-value]');
    await items.first().waitFor();
    assert.equal(await items.count(), 5);
    await screenshot('downlink-picker');
    const chosen = await items.nth(2).getAttribute('data-value');
    assert.ok(chosen && sim.devEUIs().includes(chosen), `${chosen} is a DevEUI of the account`);
    await items.nth(2).click();
    assert.equal(await page.locator('#node-input-devEUI').inputValue(), chosen);
    const field = page.locator('.form-row:has(#node-input-devEUI) .red-ui-typedInput-container');
    await page
      .locator('.form-row:has(#node-input-devEUI) .red-ui-typedInput-container:not(.input-error)')
      .waitFor();

    // TypedInput shows its own text field; the original input holds the value.
    const typing = page.locator('.form-row:has(#node-input-devEUI) input.red-ui-typedInput-input');
    await typing.fill('0123456789ABCDEZ');
    await typing.press('Tab');
    await page
      .locator('.form-row:has(#node-input-devEUI) .red-ui-typedInput-container.input-error')
      .waitFor();
    assert.match((await field.getAttribute('class')) ?? '', /input-error/);
    await screenshot('downlink-invalid-deveui');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#red-ui-editor-stack .red-ui-tray').first().waitFor({ state: 'detached' });
    await page.locator(`[id="${ID.downlink}"] .red-ui-flow-node-error:not(.hide)`).waitFor();
    await screenshot('downlink-node-error');
  });

  it('customer dialog: picks a customer of the account', async () => {
    await openNode(ID.customer);
    await chooseType('node-input-customerId', 'str');
    await page.locator('#kpn-things-customer-pick').click();
    const items = page.locator('#kpn-things-customer-picker .kpn-things-picker-item a[data-value]');
    await items.first().waitFor();
    assert.equal(await items.count(), 3);
    await page.fill('#kpn-things-customer-picker .kpn-things-picker-search', sim.customers[1].name);
    await waitFor('the search narrowed the list', 5000, async () =>
      (await items.count()) === 1 ? true : undefined,
    );
    await screenshot('customer-picker');
    await items.first().click();
    assert.equal(await page.locator('#node-input-customerId').inputValue(), sim.customers[1].id);
    await page
      .locator('.form-row:has(#node-input-customerId) .red-ui-typedInput-container:not(.input-error)')
      .waitFor();
    await page.locator('#node-dialog-ok').click();
    await page.locator('#red-ui-editor-stack .red-ui-tray').first().waitFor({ state: 'detached' });
  });

  it('devices dialog: a 0.1.0 node (no version) opens, checks sort inline, takes any page size, saves version 1', async () => {
    await page.evaluate(
      ([ids, config]) => {
        const { RED } = globalThis as unknown as EditorGlobal;
        const z = RED.workspaces.active();
        // As 0.1.0 saved it: no version, and only some of the properties. (The editor keeps only declared
        // properties, so an old one-letter `q` never reaches the dialog: the runtime migrates that one.)
        RED.view.importNodes(
          [
            {
              id: ids.devices010,
              type: 'kpn-things-devices',
              z,
              config,
              search: 'meter',
              searchType: 'str',
              x: 380,
              y: 360,
              wires: [[]],
            },
          ],
          { touchImport: true, generateIds: false },
        );
      },
      [ID, configId] as const,
    );
    await clearNotifications();
    await openNode(ID.devices010);
    assert.equal(await page.locator('#node-input-search').inputValue(), 'meter');
    const sortRow = page.locator('.form-row:has(#node-input-sort)');
    await sortRow.locator('input.red-ui-typedInput-input').fill('-name,,bad');
    await sortRow.locator('input.red-ui-typedInput-input').press('Tab');
    await sortRow.locator('.red-ui-typedInput-container.input-error').waitFor();
    await sortRow.locator('input.red-ui-typedInput-input').fill('-createdAt,name');
    await sortRow.locator('input.red-ui-typedInput-input').press('Tab');
    await sortRow.locator('.red-ui-typedInput-container:not(.input-error)').waitFor();
    // No invented maximum: the API sets its own (issue 9).
    const limitRow = page.locator('.form-row:has(#node-input-limit)');
    await limitRow.locator('input.red-ui-typedInput-input').fill('5000');
    await limitRow.locator('input.red-ui-typedInput-input').press('Tab');
    await limitRow.locator('.red-ui-typedInput-container:not(.input-error)').waitFor();
    await screenshot('devices-dialog');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#red-ui-editor-stack .red-ui-tray').first().waitFor({ state: 'detached' });
    const saved = await page.evaluate((id) => {
      const { RED } = globalThis as unknown as EditorGlobal;
      return RED.nodes.node(id);
    }, ID.devices010);
    assert.ok(saved);
    assert.equal(saved.version, 1);
    assert.equal(saved.search, 'meter');
    assert.equal(saved.sort, '-createdAt,name');
    assert.equal(saved.limit, '5000');
    await page
      .locator(`[id="${ID.devices010}"] .red-ui-flow-node-error:not(.hide)`)
      .waitFor({ state: 'detached' });
  });

  it('downlinks and request dialogs: filters checked inline, known paths suggested', async () => {
    await page.evaluate(
      ([ids, config]) => {
        const { RED } = globalThis as unknown as EditorGlobal;
        const z = RED.workspaces.active();
        RED.view.importNodes(
          [
            { id: ids.downlinks, type: 'kpn-things-downlinks', z, config, x: 380, y: 440, wires: [[]] },
            { id: ids.request, type: 'kpn-things-request', z, config, x: 380, y: 520, wires: [[]] },
          ],
          { touchImport: true, generateIds: false, applyNodeDefaults: true },
        );
      },
      [ID, configId] as const,
    );
    await clearNotifications();
    await openNode(ID.downlinks);
    assert.equal(await page.locator('#node-input-sinceLastRun').isChecked(), false);
    const since = page.locator('.form-row:has(#node-input-modifiedSince)');
    await since.locator('input.red-ui-typedInput-input').fill('yesterday');
    await since.locator('input.red-ui-typedInput-input').press('Tab');
    await since.locator('.red-ui-typedInput-container.input-error').waitFor();
    await since.locator('input.red-ui-typedInput-input').fill('2025-09-01T00:00:00Z');
    await since.locator('input.red-ui-typedInput-input').press('Tab');
    await since.locator('.red-ui-typedInput-container:not(.input-error)').waitFor();
    await page.locator('#node-input-sinceLastRun').check();
    await screenshot('downlinks-dialog');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#red-ui-editor-stack .red-ui-tray').first().waitFor({ state: 'detached' });

    await openNode(ID.request);
    await page
      .locator('.form-row:has(#node-input-query) .red-ui-typedInput-container:not(.input-error)')
      .waitFor();
    const pathRow = page.locator('.form-row:has(#node-input-path)');
    const pathInput = pathRow.locator('input.red-ui-typedInput-input');
    await pathInput.click();
    await pathInput.pressSequentially('/proj');
    const suggestion = page
      .locator('.red-ui-autoComplete-container .kpn-things-request-path')
      .filter({ hasText: '/projects/{{msg.projectId}}' });
    await suggestion.waitFor();
    await screenshot('request-path-suggestions');
    await suggestion.click();
    assert.equal(await page.locator('#node-input-path').inputValue(), '/projects/{{msg.projectId}}');
    await pathInput.fill('/devices/{{1+1}}');
    await pathInput.press('Tab');
    await pathRow.locator('.red-ui-typedInput-container.input-error').waitFor();
    await pathInput.fill('/devices/{{msg.deviceId}}');
    await pathInput.press('Tab');
    await pathRow.locator('.red-ui-typedInput-container:not(.input-error)').waitFor();
    await page.locator('#node-dialog-ok').click();
    await page.locator('#red-ui-editor-stack .red-ui-tray').first().waitFor({ state: 'detached' });
    const saved = await page.evaluate((id) => {
      const { RED } = globalThis as unknown as EditorGlobal;
      return RED.nodes.node(id);
    }, ID.request);
    assert.equal(saved?.path, '/devices/{{msg.deviceId}}');
    assert.equal(saved?.method, 'GET');
    assert.equal(saved?.version, 1);
  });

  it('uplink dialog: copies the full URL, generates a secret; the simulator pushes to it, the debug sidebar shows it', async () => {
    await page.evaluate(
      ([ids]) => {
        const { RED } = globalThis as unknown as EditorGlobal;
        const z = RED.workspaces.active();
        RED.view.importNodes(
          [
            { id: ids.uplink, type: 'kpn-things-uplink', z, x: 160, y: 460, wires: [[ids.uplinkDebug]] },
            {
              id: ids.uplinkDebug,
              type: 'debug',
              z,
              name: 'uplink e2e',
              active: true,
              tosidebar: true,
              console: false,
              complete: 'payload',
              targetType: 'msg',
              x: 400,
              y: 460,
              wires: [],
            },
          ],
          { touchImport: true, generateIds: false, applyNodeDefaults: true },
        );
      },
      [ID] as const,
    );
    await clearNotifications();
    await openNode(ID.uplink);
    await page.fill('#node-input-url', '/e2e/uplink');
    const shown = page.locator('#kpn-things-uplink-full-url');
    await waitFor('the full URL follows the path', 5000, async () =>
      (await shown.innerText()).endsWith('/e2e/uplink') ? true : undefined,
    );
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.locator('#kpn-things-uplink-copy-url').click();
    const copied = await page.evaluate(() => navigator.clipboard.readText()).catch(() => '');
    const url = copied || (await shown.innerText());
    assert.equal(url, `${base}/e2e/uplink`);
    await page.locator('#kpn-things-uplink-generate').click();
    const secret = await page.locator('#node-input-sharedSecret').inputValue();
    assert.match(secret, /^(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])(?=.*[#?!@$%^&(){}:.,/+*;]).{40}$/);
    await screenshot('uplink-dialog');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#red-ui-editor-stack .red-ui-tray').first().waitFor({ state: 'detached' });

    await page.locator('#red-ui-header-button-deploy').click();
    // The downlink node was left with a wrong DevEUI above: confirm deploying anyway.
    const confirm = page.locator('.red-ui-notification button', { hasText: 'Confirm deploy' });
    await Promise.race([
      confirm.waitFor({ timeout: 5000 }).then(() => confirm.click()),
      page.locator('#red-ui-header-button-deploy.disabled').waitFor({ timeout: 5000 }),
    ]).catch(() => undefined);
    await waitFor('the uplink node deployed', 10_000, async () =>
      (await api('GET', '/flows')).text.includes(ID.uplink) ? true : undefined,
    );
    await page.locator('#red-ui-tab-debug-link-button').click();
    const destination = sim.addDestination({
      url,
      secret,
      kinds: ['measurements'],
      retryDelaysMs: [100, 100],
    });
    const result = await waitFor('the uplink route answers', 10_000, async () => {
      const pushed = await sim.pushUplink(destination.id);
      return pushed.delivered ? pushed : undefined;
    });
    assert.equal(result.attempts[result.attempts.length - 1].status, 200);
    const message = page.locator('.red-ui-debug-msg').filter({ hasText: 'uplink e2e' }).first();
    await message.waitFor();
    assert.match(await message.innerText(), /temperature/);
    const forged = await sim.pushUplink(destination.id, { tamper: 'forged' });
    assert.equal(forged.attempts[0].status, 403);
    await screenshot('uplink-debug');
    const flows = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
    assert.ok(!flows.includes(secret), 'no uplink secret in flows.json');
    sim.removeDestination(destination.id);
  });
});
