// The two IPC channels between the preload and main (shared by both; no imports, no Electron).
export const callChannel = 'thingbench:call'
export const eventChannel = 'thingbench:event'
