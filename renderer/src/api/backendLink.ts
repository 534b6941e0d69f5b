import { ref, readonly } from 'vue'

// Whether the page still reaches its back end. Only the browser mode can lose it (the `thingbench
// serve` WebSocket closes); the transport does not reconnect — a restarted server prints a new
// token, so the page must be opened again from its new URL — so 'lost' stays until the page reloads.

export type BackendLink = 'connecting' | 'open' | 'lost' | 'refused'

const state = ref<BackendLink>('connecting')
const reason = ref('')

export const backendLink = readonly(state)
export const backendLinkReason = readonly(reason)

/** Called by the browser socket (api/index.ts) as it opens and closes. */
export function reportBackendLink(next: BackendLink, why = ''): void {
  state.value = next
  reason.value = why
}
