'use strict';
// `npm start`: a ready-to-click Node-RED with this package and a demo flow.
//
// - Simulator mode (default): starts the KPN Things simulator in this process (5 devices, 3 customers).
// - Real platform mode: when KPN_THINGS_TENANT_ID, KPN_THINGS_CLIENT_ID and KPN_THINGS_CLIENT_SECRET are
//   all set (and optionally KPN_THINGS_API_URL / KPN_THINGS_GRIP_URL), no simulator is started and the
//   same demo talks to that account.
//
// Either way the flow holds only ${KPN_THINGS_...} references: the config node's properties name the
// variables, and its credentials ("${KPN_THINGS_CLIENT_ID}", "${KPN_THINGS_CLIENT_SECRET}") are written
// encrypted into flows_cred.json the way Node-RED does. Node-RED (the project's own, node_modules/node-red)
// runs as a child process with those variables set, on 127.0.0.1, with .demo/ as its user directory
// (regenerated flows on every start). Ctrl-C stops Node-RED and the simulator.
//
// The uplink loop: a kpn-things-uplink node serves /kpn-things/uplink; in simulator mode the simulator
// pushes a signed uplink there every 5 s (raw LoRa, Extended, geolocation, measurements in turn) and a
// forged one every 30 s. Uplinks go to the debug sidebar and through a threshold function to a downlink
// for the device that sent them; the forged ones are answered 403 and reach a Catch node.
//
// Environment: PORT (editor port, default 1880), NODE_RED_CREDENTIAL_SECRET (key of flows_cred.json,
// default a fixed demo value), KPN_THINGS_DEMO_DEVEUI / KPN_THINGS_DEMO_CUSTOMER_ID (what the downlink
// and customer injects use in real platform mode), KPN_THINGS_UPLINK_SECRET (the uplink node's shared
// secret; default a fresh random one per start), DEMO_UPLINK_EVERY (default 5s).
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { setInterval, clearInterval } = require('node:timers');

const ROOT = path.join(__dirname, '..');
const DEMO_DIR = path.join(ROOT, '.demo');
const RED_JS = path.join(ROOT, 'node_modules', 'node-red', 'red.js');
const PACKAGE = require(path.join(ROOT, 'package.json'));
const HOST = '127.0.0.1';
const DEMO_CREDENTIAL_SECRET = 'kpn-things-demo-credential-secret';
const DEFAULT_API_URL = 'https://api.kpnthings.com';
const DEFAULT_GRIP_URL = 'https://auth.grip-on-it.com';

/** Fixed ids, so the injects can be triggered from a shell (POST /inject/<id>) on every start. */
const ID = {
  tab: 'de00000000000000',
  config: 'de000000000000c0',
  devicesInject: 'de00000000000011',
  devices: 'de00000000000012',
  devicesDebug: 'de00000000000013',
  downlinkInject: 'de00000000000021',
  downlink: 'de00000000000022',
  downlinkDebug: 'de00000000000023',
  customerInject: 'de00000000000031',
  customer: 'de00000000000032',
  customerDebug: 'de00000000000033',
  badInject: 'de00000000000041',
  badDownlink: 'de00000000000042',
  badDebug: 'de00000000000043',
  catch: 'de00000000000044',
  problemDebug: 'de00000000000045',
  commentIntro: 'de00000000000001',
  commentDevices: 'de00000000000010',
  commentDownlink: 'de00000000000020',
  commentCustomer: 'de00000000000030',
  commentErrors: 'de00000000000040',
  commentUplink: 'de00000000000050',
  uplink: 'de00000000000051',
  uplinkDebug: 'de00000000000052',
  threshold: 'de00000000000053',
  uplinkDownlink: 'de00000000000054',
  uplinkDownlinkDebug: 'de00000000000055',
  uplinkCatch: 'de00000000000056',
  uplinkProblemDebug: 'de00000000000057',
  commentMore: 'de00000000000060',
  downlinksInject: 'de00000000000061',
  downlinks: 'de00000000000062',
  downlinksDebug: 'de00000000000063',
  requestInject: 'de00000000000064',
  request: 'de00000000000065',
  requestDebug: 'de00000000000066',
};

const UPLINK_PATH = '/kpn-things/uplink';
/** How often a forged push (a wrong token) is sent, so the Catch node has something to show. */
const FORGED_EVERY_MS = 30_000;
const SECRET_SPECIALS = '#?!@$%^&(){}:.,/+*;';

/** A shared secret meeting KPN's rules: 40 characters, upper, lower, digit and a special one. */
function randomSecret() {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', SECRET_SPECIALS];
  const all = sets.join('');
  const chars = sets.map((set) => set[crypto.randomInt(set.length)]);
  while (chars.length < 40) chars.push(all[crypto.randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

const KPN_VARS = ['KPN_THINGS_TENANT_ID', 'KPN_THINGS_CLIENT_ID', 'KPN_THINGS_CLIENT_SECRET'];

function log(text) {
  process.stdout.write(`[demo] ${text}\n`);
}

function fail(text) {
  process.stderr.write(`[demo] ${text}\n`);
  process.exit(1);
}

function isSet(name) {
  return typeof process.env[name] === 'string' && process.env[name].trim() !== '';
}

function parsePort() {
  const raw = process.env.PORT ?? '1880';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`PORT must be a port number, got "${raw}".`);
  return port;
}

function checkPortFree(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} on ${HOST} is in use: stop what runs there, or start with PORT=1881 npm start`,
            )
          : err,
      ),
    );
    server.listen(port, HOST, () => server.close(() => resolve()));
  });
}

// ---------------------------------------------------------------------------------------------------
// The account: the simulator, or the real platform from the environment
// ---------------------------------------------------------------------------------------------------

async function account() {
  const given = KPN_VARS.filter(isSet);
  if (given.length === KPN_VARS.length) {
    return {
      mode: 'real',
      env: {
        KPN_THINGS_TENANT_ID: process.env.KPN_THINGS_TENANT_ID.trim(),
        KPN_THINGS_CLIENT_ID: process.env.KPN_THINGS_CLIENT_ID.trim(),
        KPN_THINGS_CLIENT_SECRET: process.env.KPN_THINGS_CLIENT_SECRET,
        KPN_THINGS_API_URL: isSet('KPN_THINGS_API_URL')
          ? process.env.KPN_THINGS_API_URL.trim()
          : DEFAULT_API_URL,
        KPN_THINGS_GRIP_URL: isSet('KPN_THINGS_GRIP_URL')
          ? process.env.KPN_THINGS_GRIP_URL.trim()
          : DEFAULT_GRIP_URL,
      },
      devEUI: isSet('KPN_THINGS_DEMO_DEVEUI')
        ? process.env.KPN_THINGS_DEMO_DEVEUI.trim()
        : '0000000000000000',
      customerId: isSet('KPN_THINGS_DEMO_CUSTOMER_ID')
        ? process.env.KPN_THINGS_DEMO_CUSTOMER_ID.trim()
        : '00000000-0000-0000-0000-000000000000',
      simulator: undefined,
    };
  }
  if (given.length > 0) {
    const missing = KPN_VARS.filter((name) => !isSet(name));
    fail(
      `${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set but ${missing.join(', ')} not: ` +
        'set all three to use your KPN Things account, or none to use the simulator.',
    );
  }
  let simulatorModule;
  try {
    simulatorModule = require(path.join(ROOT, 'dist', 'lib', 'simulator'));
  } catch {
    fail('dist/ is missing: run `npm start` (it builds first) or `npm run build`.');
  }
  const sim = await simulatorModule.startSimulator({ deviceCount: 5 });
  return {
    mode: 'simulator',
    env: {
      KPN_THINGS_TENANT_ID: sim.credentials.tenantId,
      KPN_THINGS_CLIENT_ID: sim.credentials.clientId,
      KPN_THINGS_CLIENT_SECRET: sim.credentials.clientSecret,
      KPN_THINGS_API_URL: sim.apiUrl,
      KPN_THINGS_GRIP_URL: sim.gripUrl,
    },
    devEUI: sim.devEUIs()[0],
    customerId: sim.customers[0].id,
    simulator: sim,
  };
}

// ---------------------------------------------------------------------------------------------------
// The Node-RED user directory
// ---------------------------------------------------------------------------------------------------

function prepareUserDir(acct, credentialSecret) {
  fs.mkdirSync(path.join(DEMO_DIR, 'node_modules', '@thingsflow'), { recursive: true });
  // This package, as Node-RED finds installed packages: <userDir>/node_modules/<name> (a symlink here).
  const link = path.join(DEMO_DIR, 'node_modules', ...PACKAGE.name.split('/'));
  let current;
  try {
    current = fs.readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current === undefined || path.resolve(path.dirname(link), current) !== ROOT) {
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(path.relative(path.dirname(link), ROOT) || '.', link, 'dir');
  }
  writeJson(path.join(DEMO_DIR, 'package.json'), {
    name: 'kpn-things-demo',
    description: 'Node-RED user directory of `npm start` (generated; git-ignored)',
    version: '0.0.0',
    private: true,
    dependencies: { [PACKAGE.name]: 'file:..' },
  });
  fs.writeFileSync(path.join(DEMO_DIR, 'settings.js'), settingsJs());
  writeJson(path.join(DEMO_DIR, 'flows.json'), demoFlow(acct));
  // Only references to environment variables, encrypted with the credential secret as Node-RED does.
  writeJson(
    path.join(DEMO_DIR, 'flows_cred.json'),
    encryptCredentials(credentialSecret, {
      [ID.config]: { clientId: '${KPN_THINGS_CLIENT_ID}', clientSecret: '${KPN_THINGS_CLIENT_SECRET}' },
      [ID.uplink]: { sharedSecret: '${KPN_THINGS_UPLINK_SECRET}' },
    }),
  );
}

function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

/** Node-RED's own format (runtime/lib/nodes/credentials.js): AES-256-CTR, key = SHA-256 of the secret. */
function encryptCredentials(secret, credentials) {
  const key = crypto.createHash('sha256').update(secret).digest();
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('aes-256-ctr', key, iv);
  const text = cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64');
  return { $: iv.toString('hex') + text };
}

function settingsJs() {
  const settings = {
    uiHost: HOST,
    uiPort: 1880,
    flowFile: 'flows.json',
    flowFilePretty: true,
    credentialSecret: DEMO_CREDENTIAL_SECRET,
    logging: { console: { level: 'info', metrics: false, audit: false } },
    diagnostics: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: {
      projects: { enabled: false },
      tours: false,
      header: { title: 'Node-RED: KPN Things demo' },
    },
  };
  return (
    '// Generated by scripts/start-demo.js on every `npm start`: edit that script, not this file.\n' +
    '// No adminAuth: the editor listens on 127.0.0.1 only.\n' +
    '// The key of flows_cred.json: NODE_RED_CREDENTIAL_SECRET, or a fixed demo value (the file holds\n' +
    '// only ${KPN_THINGS_...} references, no secret).\n' +
    `module.exports = ${JSON.stringify(settings, null, 2)};\n` +
    'module.exports.uiPort = Number(process.env.PORT) || module.exports.uiPort;\n' +
    'module.exports.credentialSecret = process.env.NODE_RED_CREDENTIAL_SECRET || module.exports.credentialSecret;\n'
  );
}

function demoFlow(acct) {
  const z = ID.tab;
  const inject = (id, name, x, y, props, wires) => ({
    id,
    type: 'inject',
    z,
    name,
    props: [{ p: 'payload' }, ...props.filter((p) => p.p !== 'payload')],
    repeat: '',
    crontab: '',
    once: false,
    onceDelay: 0.1,
    topic: '',
    payload: props.find((p) => p.p === 'payload')?.v ?? '',
    payloadType: props.find((p) => p.p === 'payload')?.vt ?? 'date',
    x,
    y,
    wires: [wires],
  });
  const debug = (id, name, complete, x, y) => ({
    id,
    type: 'debug',
    z,
    name,
    active: true,
    tosidebar: true,
    console: false,
    tostatus: false,
    complete,
    targetType: complete === 'true' ? 'full' : 'msg',
    statusVal: '',
    statusType: 'auto',
    x,
    y,
    wires: [],
  });
  const comment = (id, name, info, x, y) => ({ id, type: 'comment', z, name, info, x, y, wires: [] });
  /** A Catch node for the errors of `source` only, wired to `target`. */
  const catchOf = (id, name, source, x, y, target) => ({
    id,
    type: 'catch',
    z,
    name,
    scope: [source],
    uncaught: false,
    x,
    y,
    wires: [[target]],
  });
  const downlink = (id, name, x, y, wires) => ({
    id,
    type: 'kpn-things-downlink',
    z,
    name,
    config: ID.config,
    devEUI: 'devEUI',
    devEUIType: 'msg',
    payload: 'payload',
    payloadType: 'msg',
    port: 'port',
    portType: 'msg',
    errorOutput: false,
    outputs: 1,
    x,
    y,
    wires: [wires],
  });
  const where =
    acct.mode === 'simulator'
      ? 'The account is the built-in KPN Things simulator on 127.0.0.1 (started by `npm start`).'
      : 'The account is your KPN Things account, from the KPN_THINGS_* environment variables.';
  return [
    {
      id: ID.tab,
      type: 'tab',
      label: 'KPN Things demo',
      disabled: false,
      info: `Generated by \`npm start\` (scripts/start-demo.js) on every start: changes here are not kept.\n\n${where}`,
    },
    {
      id: ID.config,
      type: 'kpn-things-config',
      name: acct.mode === 'simulator' ? 'KPN Things simulator' : 'KPN Things',
      tenantId: '${KPN_THINGS_TENANT_ID}',
      apiUrl: '${KPN_THINGS_API_URL}',
      gripUrl: '${KPN_THINGS_GRIP_URL}',
      tokenPath: '/v2/{tenantId}/oidc/idp/c1/token',
      applicationId: '4dc82561-f65f-523g-dek9-6c79ec314f02',
      customerId: '',
      contextMode: 'header',
      timeout: 30,
      proxy: acct.mode === 'simulator' ? 'none' : 'env',
      proxyUrl: '',
    },
    comment(
      ID.commentIntro,
      'KPN Things demo: click the button left of an inject node, then look in the Debug sidebar',
      `${where}\n\nThe config node "${acct.mode === 'simulator' ? 'KPN Things simulator' : 'KPN Things'}" reads everything from environment variables: tenant id \${KPN_THINGS_TENANT_ID}, API URL \${KPN_THINGS_API_URL}, GRIP URL \${KPN_THINGS_GRIP_URL}, and its credentials \${KPN_THINGS_CLIENT_ID} / \${KPN_THINGS_CLIENT_SECRET} (stored encrypted in flows_cred.json; the flow itself holds no secret).`,
      330,
      40,
    ),
    comment(
      ID.commentDevices,
      '1. List the devices of the account',
      'The devices node follows every page of GET /devices and sends them as one array in msg.payload (the "Output" setting can also send one message per device, or one page).',
      210,
      100,
    ),
    inject(ID.devicesInject, 'list devices', 150, 140, [], [ID.devices]),
    {
      id: ID.devices,
      type: 'kpn-things-devices',
      z,
      name: '',
      config: ID.config,
      api: 'current',
      search: '',
      searchType: 'str',
      limit: '',
      limitType: 'num',
      sort: '',
      sortType: 'str',
      clientId: '',
      clientIdType: 'str',
      createdSince: '',
      createdSinceType: 'str',
      createdBefore: '',
      createdBeforeType: 'str',
      modifiedSince: '',
      modifiedSinceType: 'str',
      modifiedBefore: '',
      modifiedBeforeType: 'str',
      output: 'all',
      maxItems: 10000,
      errorOutput: false,
      outputs: 1,
      x: 360,
      y: 140,
      wires: [[ID.devicesDebug]],
    },
    debug(ID.devicesDebug, 'devices', 'payload', 570, 140),
    comment(
      ID.commentDownlink,
      '2. Send a LoRa downlink',
      `The inject sets msg.devEUI (${acct.devEUI}), msg.payload "01ab" (hex) and msg.port 10; the downlink node validates them, builds the SenML records and POSTs them to /api/actuator/downlinks.` +
        (acct.mode === 'real'
          ? ' Set KPN_THINGS_DEMO_DEVEUI to one of your devices before `npm start`.'
          : ''),
      170,
      200,
    ),
    inject(
      ID.downlinkInject,
      'downlink 01ab, port 10',
      170,
      240,
      [
        { p: 'payload', v: '01ab', vt: 'str' },
        { p: 'devEUI', v: acct.devEUI, vt: 'str' },
        { p: 'port', v: '10', vt: 'num' },
      ],
      [ID.downlink],
    ),
    downlink(ID.downlink, '', 390, 240, [ID.downlinkDebug]),
    debug(ID.downlinkDebug, 'downlink queued', 'true', 600, 240),
    comment(
      ID.commentCustomer,
      '3. Get one customer (resellers)',
      'The inject sets msg.customerId; the customer node fetches that customer (GET /clients/{id}). Its "List" mode lists every customer the API key resells.' +
        (acct.mode === 'real' ? ' Set KPN_THINGS_DEMO_CUSTOMER_ID before `npm start`.' : ''),
      200,
      300,
    ),
    inject(
      ID.customerInject,
      'get customer',
      150,
      340,
      [{ p: 'customerId', v: acct.customerId, vt: 'str' }],
      [ID.customer],
    ),
    {
      id: ID.customer,
      type: 'kpn-things-customer',
      z,
      name: '',
      config: ID.config,
      mode: 'get',
      customerId: 'customerId',
      customerIdType: 'msg',
      output: 'all',
      maxItems: 10000,
      errorOutput: false,
      outputs: 1,
      x: 370,
      y: 340,
      wires: [[ID.customerDebug]],
    },
    debug(ID.customerDebug, 'customer', 'payload', 580, 340),
    comment(
      ID.commentErrors,
      '4. Errors reach a Catch node, with msg.problem',
      'The DevEUI "not-a-deveui" is refused before any request is made: the downlink node turns red and reports the error with the message. The Catch node (scoped to that node) receives it; msg.problem holds RFC 7807 details: title, status, detail, and field, code and hint for invalid input.',
      230,
      400,
    ),
    inject(
      ID.badInject,
      'bad DevEUI',
      140,
      440,
      [
        { p: 'payload', v: '01ab', vt: 'str' },
        { p: 'devEUI', v: 'not-a-deveui', vt: 'str' },
        { p: 'port', v: '10', vt: 'num' },
      ],
      [ID.badDownlink],
    ),
    downlink(ID.badDownlink, 'downlink (fails)', 360, 440, [ID.badDebug]),
    debug(ID.badDebug, 'not reached', 'payload', 580, 440),
    catchOf(ID.catch, 'downlink errors', ID.badDownlink, 160, 500, ID.problemDebug),
    debug(ID.problemDebug, 'msg.problem', 'problem', 370, 500),
    comment(
      ID.commentUplink,
      '5. Uplinks: KPN Things pushes device data, a threshold answers with a downlink',
      `The uplink node serves ${UPLINK_PATH} and checks every push (Things-Message-Token over the raw bytes) before sending it on; its shared secret is \${KPN_THINGS_UPLINK_SECRET}.` +
        (acct.mode === 'simulator'
          ? ' The simulator pushes a signed uplink every few seconds (raw LoRa, Extended with LoRa metadata, geolocation, measurements) and a forged one now and then: the forged one is answered 403 and reaches the Catch node.'
          : ' Point an HTTPS destination of your KPN Things account at this path (through a reverse proxy with a valid certificate on port 443) with the same secret.') +
        ' The threshold function sends "01" on port 10 when msg.payload.temperature is above 22.5; the downlink node takes the DevEUI from msg.device.',
      330,
      580,
    ),
    {
      id: ID.uplink,
      type: 'kpn-things-uplink',
      z,
      name: '',
      url: UPLINK_PATH,
      allowGet: false,
      maxBody: 256,
      body: 'senml',
      split: 'pack',
      duplicates: 'drop',
      recentIdsStore: '',
      plugUUID: '',
      auth: 'none',
      authHeader: 'X-API-key',
      version: 1,
      x: 150,
      y: 640,
      wires: [[ID.uplinkDebug, ID.threshold]],
    },
    debug(ID.uplinkDebug, 'uplink', 'true', 370, 620),
    {
      id: ID.threshold,
      type: 'function',
      z,
      name: 'temperature > 22.5?',
      func:
        "const t = msg.payload && msg.payload.temperature;\nif (typeof t !== 'number' || t <= 22.5) return null;\n" +
        '// Fan on: the downlink node reads msg.payload, msg.port, and the DevEUI from msg.device.\n' +
        "return { payload: '01', port: 10, device: msg.device, temperature: t };",
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      x: 390,
      y: 680,
      wires: [[ID.uplinkDownlink]],
    },
    downlink(ID.uplinkDownlink, 'fan on', 600, 680, [ID.uplinkDownlinkDebug]),
    debug(ID.uplinkDownlinkDebug, 'fan-on downlink', 'downlink', 800, 680),
    catchOf(ID.uplinkCatch, 'rejected uplinks', ID.uplink, 160, 740, ID.uplinkProblemDebug),
    debug(ID.uplinkProblemDebug, 'rejected uplink', 'problem', 390, 740),
    comment(
      ID.commentMore,
      '6. What was sent, and any other endpoint',
      'The downlinks node lists what was sent (GET /downlinks, newest first: the Getting Started example). ' +
        'The request node calls any endpoint without a node of its own, here GET /projects, with the same token, retries and errors.',
      230,
      800,
    ),
    inject(ID.downlinksInject, 'last 10 downlinks', 160, 840, [], [ID.downlinks]),
    {
      id: ID.downlinks,
      type: 'kpn-things-downlinks',
      z,
      name: '',
      config: ID.config,
      search: '',
      searchType: 'str',
      createdSince: '',
      createdSinceType: 'str',
      createdBefore: '',
      createdBeforeType: 'str',
      modifiedSince: '',
      modifiedSinceType: 'str',
      modifiedBefore: '',
      modifiedBeforeType: 'str',
      sinceLastRun: false,
      sort: '-modifiedAt',
      sortType: 'str',
      limit: '10',
      limitType: 'num',
      output: 'page',
      maxItems: 10000,
      errorOutput: false,
      outputs: 1,
      version: 1,
      x: 390,
      y: 840,
      wires: [[ID.downlinksDebug]],
    },
    debug(ID.downlinksDebug, 'downlinks', 'payload', 600, 840),
    inject(ID.requestInject, 'GET /projects', 160, 900, [], [ID.request]),
    {
      id: ID.request,
      type: 'kpn-things-request',
      z,
      name: '',
      config: ID.config,
      method: 'GET',
      path: '/projects',
      pathType: 'str',
      query: '{}',
      queryType: 'json',
      accept: '',
      acceptType: 'str',
      contentType: '',
      contentTypeType: 'str',
      paginate: true,
      output: 'all',
      maxItems: 10000,
      errorOutput: false,
      outputs: 1,
      version: 1,
      x: 390,
      y: 900,
      wires: [[ID.requestDebug]],
    },
    debug(ID.requestDebug, 'projects', 'payload', 600, 900),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Running Node-RED
// ---------------------------------------------------------------------------------------------------

function request(port, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: HOST,
        port,
        method,
        path: urlPath,
        headers: data
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }
          : {},
        timeout: 5000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

async function waitUntilReady(port, child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const res = await request(port, 'GET', '/flows');
      if (res.status === 200 && res.text.includes(ID.config)) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** Node-RED must have decrypted the credentials; if it could not, deploy them through the admin API. */
async function ensureCredentials(port) {
  const res = await request(port, 'GET', `/credentials/kpn-things-config/${ID.config}`);
  const creds = res.status === 200 ? JSON.parse(res.text) : {};
  if (creds.has_clientSecret === true && creds.clientId === '${KPN_THINGS_CLIENT_ID}') return;
  log('the credentials file was not read; deploying the credentials through the admin API');
  const flows = JSON.parse(fs.readFileSync(path.join(DEMO_DIR, 'flows.json'), 'utf8'));
  const config = flows.find((n) => n.id === ID.config);
  config.credentials = { clientId: '${KPN_THINGS_CLIENT_ID}', clientSecret: '${KPN_THINGS_CLIENT_SECRET}' };
  flows.find((n) => n.id === ID.uplink).credentials = { sharedSecret: '${KPN_THINGS_UPLINK_SECRET}' };
  const deployed = await request(port, 'POST', '/flows', flows);
  if (deployed.status !== 200 && deployed.status !== 204) {
    throw new Error(`deploying the demo flow failed: HTTP ${deployed.status} ${deployed.text.slice(0, 200)}`);
  }
}

function banner(acct, port) {
  const url = `http://${HOST}:${port}/`;
  const lines = [
    '',
    '='.repeat(78),
    `  KPN Things demo is running: open ${url}`,
    '',
    acct.mode === 'simulator'
      ? `  Mode: SIMULATOR (no account needed). API ${acct.env.KPN_THINGS_API_URL}, GRIP ${acct.env.KPN_THINGS_GRIP_URL}`
      : `  Mode: REAL PLATFORM, tenant ${acct.env.KPN_THINGS_TENANT_ID}, API ${acct.env.KPN_THINGS_API_URL}`,
    '  In the editor: tab "KPN Things demo", click the button of an inject node, and read',
    '  the result in the Debug sidebar (the bug icon, top right).',
    `  From a shell:  curl -X POST ${url}inject/${ID.devicesInject}   (list devices)`,
    acct.mode === 'simulator'
      ? `  Uplinks: the simulator pushes to ${url.replace(/\/$/, '')}${UPLINK_PATH} every ${uplinkEvery()} (a forged one every ${FORGED_EVERY_MS / 1000} s).`
      : `  Uplinks: kpn-things-uplink serves ${url.replace(/\/$/, '')}${UPLINK_PATH} (KPN needs HTTPS on 443: use a reverse proxy).`,
    '',
    '  Ctrl-C stops Node-RED' + (acct.mode === 'simulator' ? ' and the simulator.' : '.'),
    '='.repeat(78),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function uplinkEvery() {
  return isSet('DEMO_UPLINK_EVERY') ? process.env.DEMO_UPLINK_EVERY.trim() : '5s';
}

/** Simulator mode: the simulator pushes signed uplinks to the demo's uplink node, and a forged one now and then. */
function startUplinks(acct, port, secret) {
  if (!acct.simulator) return () => undefined;
  const destination = acct.simulator.addDestination({
    url: `http://${HOST}:${port}${UPLINK_PATH}`,
    secret,
    every: uplinkEvery(),
  });
  const forged = setInterval(() => {
    acct.simulator.pushUplink(destination.id, { tamper: 'forged' }).catch(() => undefined);
  }, FORGED_EVERY_MS);
  forged.unref();
  return () => {
    clearInterval(forged);
    acct.simulator.removeDestination(destination.id);
  };
}

async function main() {
  if (!fs.existsSync(RED_JS)) fail('node_modules/node-red is missing: run `npm install` first.');
  const port = parsePort();
  await checkPortFree(port);
  const credentialSecret = isSet('NODE_RED_CREDENTIAL_SECRET')
    ? process.env.NODE_RED_CREDENTIAL_SECRET
    : DEMO_CREDENTIAL_SECRET;

  const acct = await account();
  const uplinkSecret = isSet('KPN_THINGS_UPLINK_SECRET')
    ? process.env.KPN_THINGS_UPLINK_SECRET
    : randomSecret();
  log(
    acct.mode === 'simulator'
      ? `simulator mode: KPN Things simulator on ${acct.env.KPN_THINGS_API_URL} (API) and ${acct.env.KPN_THINGS_GRIP_URL} (GRIP)`
      : `real platform mode: KPN_THINGS_TENANT_ID, _CLIENT_ID and _CLIENT_SECRET are set; API ${acct.env.KPN_THINGS_API_URL}`,
  );
  prepareUserDir(acct, credentialSecret);
  log(`Node-RED user directory: ${path.relative(process.cwd(), DEMO_DIR) || '.'} (flows regenerated)`);

  const child = spawn(process.execPath, [RED_JS, '-u', DEMO_DIR, '-p', String(port)], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...acct.env,
      KPN_THINGS_UPLINK_SECRET: uplinkSecret,
      NODE_RED_CREDENTIAL_SECRET: credentialSecret,
      PORT: String(port),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });

  let stopping;
  let orphanWatch;
  let stopUplinks = () => undefined;
  const stop = (reason, code) => {
    if (stopping) return stopping;
    log(`${reason}: stopping Node-RED${acct.simulator ? ' and the simulator' : ''}`);
    stopping = (async () => {
      clearInterval(orphanWatch);
      stopUplinks();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (acct.simulator) await acct.simulator.close();
      process.exit(code);
    })();
    return stopping;
  };
  process.on('SIGINT', () => stop('SIGINT', 130));
  process.on('SIGTERM', () => stop('SIGTERM', 143));
  process.on('SIGHUP', () => stop('SIGHUP', 129));
  child.on('exit', (code, signal) => {
    if (!stopping) stop(`Node-RED exited (${signal ?? `code ${code}`})`, code || 1);
  });
  // If whatever started us goes away without a signal (e.g. a killed npm), do not linger.
  const parent = process.ppid;
  orphanWatch = setInterval(() => {
    if (process.ppid !== parent) stop('parent process gone', 1);
  }, 1000);
  orphanWatch.unref();

  if (!(await waitUntilReady(port, child))) {
    if (!stopping) await stop('Node-RED did not start within 60 s', 1);
    return;
  }
  await ensureCredentials(port);
  stopUplinks = startUplinks(acct, port, uplinkSecret);
  banner(acct, port);
}

main().catch((err) => {
  process.stderr.write(`[demo] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
