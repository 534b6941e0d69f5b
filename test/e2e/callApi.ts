import type { Page } from '@playwright/test'

/**
 * Calls the contract over a WebSocket opened from the page (its origin is the one the server
 * allows; the token is in the page's URL): seeds what a test needs without driving other views.
 */
export async function callApi(page: Page, method: string, args: unknown): Promise<unknown> {
  const served = new URL(page.url())
  const socketUrl = `ws://${served.host}/api?token=${encodeURIComponent(served.searchParams.get('token') ?? '')}`
  return page.evaluate(
    ({ socketUrl, method, args }) =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(socketUrl)
        socket.onopen = () => socket.send(JSON.stringify({ id: 1, method, args }))
        socket.onmessage = (event) => {
          const message = JSON.parse(String(event.data)) as { id?: number; answer?: { ok: boolean; result?: unknown; error?: unknown } }
          if (message.id !== 1) return
          socket.close()
          if (message.answer?.ok) resolve(message.answer.result)
          else reject(new Error(JSON.stringify(message.answer?.error)))
        }
        socket.onerror = () => reject(new Error('the WebSocket failed'))
      }),
    { socketUrl, method, args }
  )
}
