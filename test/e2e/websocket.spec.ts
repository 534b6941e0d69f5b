import { expect, test } from './fixtures'

// The browser mode's WebSocket is the app's whole back end: only the page `thingbench serve`
// printed (token in its URL, served from its own origin) may open it.

/** Tries a WebSocket from the page; resolves 'open' or 'refused'. */
async function tryWebSocket(page: import('@playwright/test').Page, url: string): Promise<string> {
  return page.evaluate(
    (target) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(target)
        socket.onopen = () => {
          socket.close()
          resolve('open')
        }
        socket.onerror = () => resolve('refused')
      }),
    url
  )
}

test('refuses a connection without the token, and the page says how to get in', async ({ page, served }) => {
  const origin = new URL(served.url).origin
  const token = new URL(served.url).searchParams.get('token')!
  await page.goto(`${origin}/`)
  const wsBase = `ws://127.0.0.1:${served.port}/api`
  expect(await tryWebSocket(page, wsBase)).toBe('refused')
  expect(await tryWebSocket(page, `${wsBase}?token=${'A'.repeat(token.length)}`)).toBe('refused')
  expect(await tryWebSocket(page, `${wsBase}?token=${token}`)).toBe('open')
  await expect(page.getByText(/token/i).first()).toBeVisible()
})

test('refuses a page from a foreign origin even with the token', async ({ page, served }) => {
  const token = new URL(served.url).searchParams.get('token')!
  await page.context().route('http://foreign.example/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>elsewhere</title>' }))
  await page.goto('http://foreign.example/')
  expect(await tryWebSocket(page, `ws://127.0.0.1:${served.port}/api?token=${token}`)).toBe('refused')
})
