import { watch } from 'vue'
import { useConnectionStore } from '../../../stores/useConnectionStore'

/**
 * Runs `reload` when the user switches to another connection: what a registry view shows belongs
 * to the connection it was loaded from. The first time the active connection becomes known is not
 * a switch (the view loads on mount).
 */
export function useReloadOnConnectionChange(reload: () => void): void {
  const connection = useConnectionStore()
  watch(
    () => connection.activeId,
    (now, before) => {
      if (before && now && now !== before) reload()
    }
  )
}
