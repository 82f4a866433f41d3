#!/usr/bin/env node
/**
 * Runs the simulator from the command line:
 *   node dist/lib/simulator/cli.js [--devices N] [--customers N] [--devices-per-customer N]
 *     [--grip-port P] [--api-port P] [--token-shape snake|camel] [--token-lifetime S] [--seed N]
 *     [--bad-token-status 302|401] [--max-limit N]
 */
import { startSimulator } from './index';
import type { SimulatorOptions, TokenShape } from './types';

const USAGE = `Usage: node dist/lib/simulator/cli.js [options]
  --devices N               devices of the API key's own client (default 5)
  --customers N             customers the API key resells (default 3)
  --devices-per-customer N  devices per customer (default 2)
  --grip-port P             GRIP port (default: a free one)
  --api-port P              API port (default: a free one)
  --token-shape snake|camel token response shape (default snake)
  --token-lifetime S        token lifetime in seconds (default 3600)
  --seed N                  data seed (default 1)
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
  '--bad-token-status',
  '--max-limit',
];

export function parseArgs(argv: string[]): SimulatorOptions | 'help' {
  const options: SimulatorOptions = {};
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
      default:
        throw new Error(`unknown option ${name}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: SimulatorOptions | 'help';
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
  const sim = await startSimulator(options);
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
