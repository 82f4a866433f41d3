/**
 * A TLS front on 127.0.0.1 for a plain HTTP server (e.g. the simulator's API), with the self-signed
 * test certificate of test/fixtures/tls: to test TLS verification and a custom CA.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

const TLS_DIR = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'tls');
/** The test certificate (PEM file) the front presents; also its own CA. */
export const TEST_CERT_FILE = path.join(TLS_DIR, 'sim-cert.pem');

export interface TlsFront {
  /** https://127.0.0.1:<port> */
  url: string;
  /** The certificate as PEM text. */
  cert: string;
  close(): Promise<void>;
}

/** Starts a TLS front that pipes every connection to `targetUrl`'s port on 127.0.0.1. */
export async function startTlsFront(targetUrl: string): Promise<TlsFront> {
  const cert = fs.readFileSync(TEST_CERT_FILE, 'utf8');
  const key = fs.readFileSync(path.join(TLS_DIR, 'sim-key.pem'), 'utf8');
  const port = Number(new URL(targetUrl).port);
  const server = tls.createServer({ cert, key }, (socket) => {
    const upstream = net.connect(port, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    cert,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
