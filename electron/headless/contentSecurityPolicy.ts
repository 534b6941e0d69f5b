/**
 * The page's Content-Security-Policy in browser mode: scripts and styles only from this server (no
 * inline scripts; inline styles are needed by naive-ui's CSS-in-JS), network only to this server
 * and its WebSocket, no framing, no plugins, no forms posted anywhere.
 */
export function headlessContentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'"
  ].join('; ')
}
