#!/usr/bin/env node
/**
 * Runs the simulator from the command line:
 *   node dist/lib/simulator/cli.js [--devices N] [--customers N] [--devices-per-customer N]
 *     [--grip-port P] [--api-port P] [--token-shape snake|camel] [--token-lifetime S] [--seed N]
 *     [--push-to URL --secret S [--every 5s] [--push-kinds raw,extended,location,measurements]]
 *     [--bad-token-status 302|401] [--max-limit N]
 */
import { startSimulator } from './index';
import { parseDuration } from './push';
import { PUSH_KINDS } from './push-packs';
import type { PushKind, SimulatorOptions, TokenShape } from './types';

/** The simulator's options plus a destination to push uplinks to. */
export interface CliOptions extends SimulatorOptions {
  push?: { url: string; secret: string; every: number; kinds?: PushKind[] };
}

const USAGE = `Usage: node dist/lib/simulator/cli.js [options]
  --devices N               devices of the API key's own client (default 5)
  --customers N             customers the API key resells (default 3)
  --devices-per-customer N  devices per customer (default 2)
  --grip-port P             GRIP port (default: a free one)
  --api-port P              API port (default: a free one)
  --token-shape snake|camel token response shape (default snake)
  --token-lifetime S        token lifetime in seconds (default 3600)
  --seed N                  data seed (default 1)
  --push-to URL             push signed uplinks to this (loopback) URL, like a KPN Things HTTPS destination
  --secret S                the destination's shared secret (needed with --push-to)
  --every D                 push interval, e.g. 5s, 500ms, 2m (default 5s)
  --push-kinds K,K          kinds pushed in turn: raw, extended, location, measurements (default all)
  --bad-token-status 302|401  current API's answer to a bad token (default 302, as documented)
  --max-limit N             largest limit/pageSize accepted (default: no maximum)
  --help                    show this help`;

const FLAGS = [
  '--devices',
  '--customers',
  '--devices-per-customer',
  '--grip-port',
  '--api-port',
  '--token-shape',
  '--token-lifetime',
  '--seed',
  '--push-to',
  '--secret',
  '--every',
  '--push-kinds',
  '--bad-token-status',
  '--max-limit',
];

export function parseArgs(argv: string[]): CliOptions | 'help' {
  const options: CliOptions = {};
  const push: { url?: string; secret?: string; every?: number; kinds?: PushKind[] } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') return 'help';
    const [name, inline] = flag.includes('=') ? flag.split(/=(.*)/s, 2) : [flag, undefined];
    if (!FLAGS.includes(name)) throw new Error(`unknown option ${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    const integer = (): number => {
      if (!/^\d+$/.test(value)) throw new Error(`${name} needs a non-negative integer, got '${value}'`);
      return Number(value);
    };
    switch (name) {
      case '--devices':
        options.deviceCount = integer();
        break;
      case '--customers':
        options.customerCount = integer();
        break;
      case '--devices-per-customer':
        options.devicesPerCustomer = integer();
        break;
      case '--grip-port':
        options.gripPort = integer();
        break;
      case '--api-port':
        options.apiPort = integer();
        break;
      case '--seed':
        options.seed = integer();
        break;
      case '--bad-token-status':
        if (value !== '302' && value !== '401') throw new Error('--bad-token-status must be 302 or 401');
        options.badTokenStatus = value === '302' ? 302 : 401;
        break;
      case '--max-limit':
        options.maxLimit = integer();
        if (options.maxLimit < 1) throw new Error('--max-limit needs a positive integer');
        break;
      case '--token-shape':
        if (value !== 'snake' && value !== 'camel') throw new Error(`--token-shape must be snake or camel`);
        options.tokenShape = value as TokenShape;
        break;
      case '--token-lifetime': {
        const seconds = Number(value);
        if (!(seconds > 0) || !Number.isFinite(seconds))
          throw new Error('--token-lifetime needs a positive number');
        options.tokenLifetimeSeconds = seconds;
        break;
      }
      case '--push-to':
        push.url = value;
        break;
      case '--secret':
        push.secret = value;
        break;
      case '--every':
        push.every = parseDuration(value, '--every');
        break;
      case '--push-kinds': {
        const kinds = value.split(',').map((k) => k.trim());
        const unknown = kinds.filter((k) => !PUSH_KINDS.includes(k as PushKind));
        if (unknown.length > 0)
          throw new Error(`--push-kinds takes ${PUSH_KINDS.join(', ')}; not ${unknown.join(', ')}`);
        push.kinds = kinds as PushKind[];
        break;
      }
      default:
        throw new Error(`unknown option ${name}`);
    }
  }
  if (push.url !== undefined || push.secret !== undefined || push.every !== undefined || push.kinds) {
    if (push.url === undefined) throw new Error('--secret, --every and --push-kinds need --push-to URL');
    if (push.secret === undefined) throw new Error('--push-to needs --secret S (the destination secret)');
    options.push = {
      url: push.url,
      secret: push.secret,
      every: push.every ?? 5000,
      ...(push.kinds ? { kinds: push.kinds } : {}),
    };
  }
  return options;
}

async function main(): Promise<void> {
  let options: CliOptions | 'help';
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { push, ...simulatorOptions } = options;
  const sim = await startSimulator(simulatorOptions);
  let pushLine = '  Push:            none (add --push-to URL --secret S, or POST /_sim/destinations)';
  if (push) {
    try {
      const destination = sim.addDestination(push);
      pushLine = `  Push:            every ${push.every} ms to ${destination.url} (Things-Plug-UUID ${destination.plugUUID})`;
    } catch (error) {
      await sim.close();
      throw error;
    }
  }
  const { tenantId, clientId, clientSecret, applicationId } = sim.credentials;
  const tokenUrl = `${sim.gripUrl}/v2/${tenantId}/oidc/idp/c1/token`;
  const lines = [
    'KPN Things simulator running (Ctrl+C to stop)',
    `  GRIP URL:        ${sim.gripUrl}`,
    `  Token URL:       ${tokenUrl}`,
    `  API URL:         ${sim.apiUrl}`,
    `  Tenant id:       ${tenantId}`,
    `  Client id:       ${clientId}`,
    `  Client secret:   ${clientSecret}   (a demo secret)`,
    `  Application id:  ${applicationId}`,
    `  Own client id:   ${sim.ownClientId}`,
    `  Customers:       ${sim.customers.map((c) => `${c.name} (${c.id})`).join(', ') || 'none'}`,
    `  DevEUIs:         ${sim.devEUIs().slice(0, 3).join(', ')}${sim.devEUIs().length > 3 ? ', ...' : ''}`,
    pushLine,
    '',
    `export KPN_THINGS_GRIP_URL=${sim.gripUrl}`,
    `export KPN_THINGS_TOKEN_URL=${tokenUrl}`,
    `export KPN_THINGS_API_URL=${sim.apiUrl}`,
    `export KPN_THINGS_TENANT_ID=${tenantId}`,
    `export KPN_THINGS_CLIENT_ID=${clientId}`,
    `export KPN_THINGS_CLIENT_SECRET=${clientSecret}`,
    `export KPN_THINGS_APPLICATION_ID=${applicationId}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the simulator\n`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
