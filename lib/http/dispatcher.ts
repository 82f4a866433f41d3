/**
 * The one undici dispatcher a client owns: keep-alive, bounded connections, connect timeout,
 * proxy from the environment (HTTP_PROXY / HTTPS_PROXY / NO_PROXY) or an explicit URL, optional CA.
 * Never installed as the global dispatcher.
 */
import { rootCertificates } from 'node:tls';
import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';

export interface DispatcherOptions {
  /** 'env' (default): honour HTTP(S)_PROXY / NO_PROXY; 'none': direct; or a proxy URL. */
  proxy?: 'env' | 'none' | string;
  /** Extra CA certificate(s) in PEM, e.g. for a TLS-inspecting company proxy; trusted besides the public roots. */
  ca?: string;
  /** TCP + TLS connect timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Connections per origin (default 64: as many as calls a busy flow keeps in flight; more queue). */
  connections?: number;
  /** Idle keep-alive socket lifetime (default 4 s; undici lowers it to the server's hint). */
  keepAliveTimeoutMs?: number;
}

export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const connect = {
    timeout: options.connectTimeoutMs ?? 10_000,
    // Node's `ca` replaces the default roots: keep them, and add the extra CA.
    ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
  };
  const agentOptions = {
    connect,
    connections: options.connections ?? 64,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    pipelining: 1,
  };
  const proxy = options.proxy ?? 'env';
  if (proxy === 'none') return new Agent(agentOptions);
  if (proxy === 'env') return new EnvHttpProxyAgent(agentOptions);
  return new ProxyAgent({ ...agentOptions, uri: proxy, requestTls: connect });
}
