/**
 * kpn-things-config: where a KPN Things account is configured. Owns one ThingsClient (one connection
 * pool), created on first use and closed on redeploy or shutdown, which aborts its calls in flight.
 * The token registry is created once per Node-RED runtime (this module function runs once per
 * runtime) and passed to every client, so config nodes with the same API key share one token.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { TokenRegistry } from '../../lib/auth/token-registry';
import { ThingsClient } from '../../lib/client';
import { clientOptionsFrom, type ConfigCredentials, type ConfigProperties } from './options';
import { registerAdminRoutes } from './admin';

type ConfigDef = NodeDef & ConfigProperties;
type ConfigNode = Node<ConfigCredentials> & { getClient(): ThingsClient };

export = function (RED: NodeAPI): void {
  const tokens = new TokenRegistry();

  function KpnThingsConfigNode(this: ConfigNode, def: ConfigDef): void {
    RED.nodes.createNode(this, def);
    let client: ThingsClient | undefined;
    this.getClient = (): ThingsClient => {
      if (!client || client.closed)
        client = new ThingsClient({ ...clientOptionsFrom(def, this.credentials), tokens });
      return client;
    };
    this.on('close', (_removed: boolean, done: () => void) => {
      const closing = client?.close();
      client = undefined;
      if (closing) closing.then(done, () => done());
      else done();
    });
  }

  RED.nodes.registerType<ConfigNode, ConfigDef, unknown, ConfigCredentials>(
    'kpn-things-config',
    KpnThingsConfigNode,
    {
      credentials: {
        clientId: { type: 'text' },
        clientSecret: { type: 'password' },
      },
    },
  );
  registerAdminRoutes(RED, tokens);
};
