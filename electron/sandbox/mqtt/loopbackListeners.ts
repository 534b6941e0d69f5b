import type net from 'node:net'

// The gateway's listeners serve 127.0.0.1 and, when the machine has IPv6 loopback, ::1 on the same
// port: `localhost` may resolve to ::1 first (macOS), and the server certificate is valid for both.

export interface LoopbackListeners {
  port: number
  close(): Promise<void>
}

/** Listens with servers made by `create` on 127.0.0.1 (at `port`, 0 for any) and on ::1 at the same port. */
export async function listenOnLoopback(create: () => net.Server, port: number): Promise<LoopbackListeners> {
  const first = await listen(create(), '127.0.0.1', port)
  const chosen = (first.address() as net.AddressInfo).port
  const ipv6 = await listen(create(), '::1', chosen).catch(() => undefined)
  const servers = ipv6 ? [first, ipv6] : [first]
  return {
    port: chosen,
    close: () => Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined)
  }
}

function listen(server: net.Server, host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port }, () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}
