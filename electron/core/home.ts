import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where ThingBench keeps its vault, journal, settings and the embedded Local IoT Core's data.
 * THINGBENCH_HOME overrides it (tests give each case a fresh one); otherwise it is the OS's
 * per-user app-data folder — the same place Electron's `app.getPath('userData')` points to, so the
 * app and the CLI share one home.
 */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.THINGBENCH_HOME) return env.THINGBENCH_HOME
  const home = env.HOME ?? env.USERPROFILE ?? homedir()
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'ThingBench')
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'ThingBench')
    default:
      return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'ThingBench')
  }
}

export interface HomeLayout {
  root: string
  vaultFile: string
  journalDir: string
  settingsFile: string
  /** Data directory of the embedded Local IoT Core. */
  sandboxDir: string
  /** The rotating log every ThingBench process on this home writes (thingbench.<n>.log). */
  logsDir: string
  logFile: string
  /** The shadow state history: one SQLite database (with its -wal and -shm files beside it). */
  historyFile: string
  /** Where history exports go when the user names no folder. */
  historyExportsDir: string
  /** The friendly names given to serial ports, by serial number (the app, `thingbench serial` and `onboard` share them). */
  serialPortNamesFile: string
}

export function homeLayout(root: string): HomeLayout {
  return {
    root,
    vaultFile: join(root, 'vault.json'),
    journalDir: join(root, 'journal'),
    settingsFile: join(root, 'settings.json'),
    sandboxDir: join(root, 'local-iot-core'),
    logsDir: join(root, 'logs'),
    logFile: join(root, 'logs', 'thingbench.log'),
    historyFile: join(root, 'history.sqlite'),
    historyExportsDir: join(root, 'exports', 'history'),
    serialPortNamesFile: join(root, 'serial-ports.json')
  }
}
