import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

export type ThemeName = 'light' | 'dark'

const storageKey = 'thingbench.theme'

function storedTheme(): ThemeName | null {
  try {
    const value = localStorage.getItem(storageKey)
    return value === 'light' || value === 'dark' ? value : null
  } catch {
    return null // storage may be unavailable (private mode, file:// quirks): fall back to the OS
  }
}

function osTheme(): ThemeName {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

/** Dark or light: the user's last choice, else the OS preference. */
export const useThemeStore = defineStore('theme', () => {
  const theme = ref<ThemeName>(storedTheme() ?? osTheme())
  const isDark = computed(() => theme.value === 'dark')

  function setTheme(next: ThemeName): void {
    theme.value = next
    try {
      localStorage.setItem(storageKey, next)
    } catch {
      // Not persisted; the choice still holds for this session.
    }
  }

  function toggle(): void {
    setTheme(isDark.value ? 'light' : 'dark')
  }

  return { theme, isDark, setTheme, toggle }
})
