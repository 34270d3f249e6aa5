// A TCP relay between the processes under test and the PostgreSQL server, so that a test can take "the
// database" away for a while (every connection cut, new ones refused, as during a restart or failover)
// and bring it back, without touching the server that other people use.
import net from 'node:net';

export interface PgProxy {
  /** postgres://… of the server, with host and port replaced by the relay's. */
  url: string;
  /** Cuts every relayed connection and refuses new ones. */
  down(): Promise<void>;
  /** Accepts connections again, on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function pgProxy(databaseUrl: string): Promise<PgProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  const relay = (client: net.Socket) => {
    const server = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        server.destroy();
      });
    }
    client.pipe(server).pipe(client);
  };
  let listener = net.createServer(relay);
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as net.AddressInfo).port;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const down = async () => {
    await new Promise<void>((r) => {
      listener.close(() => r());
      for (const s of sockets) s.destroy();
    });
  };
  return {
    url: url.toString(),
    down,
    async up() {
      listener = net.createServer(relay);
      await new Promise<void>((r) => listener.listen(port, '127.0.0.1', r));
    },
    close: () => (listener.listening ? down() : Promise.resolve()),
  };
}
