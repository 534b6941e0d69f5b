import { contextBridge } from 'electron'

// The contract is bridged here as window.thingbench once the UI has methods to call (next issue);
// until then the page gets only the app's version, and never ipcRenderer itself.
contextBridge.exposeInMainWorld('thingbench', Object.freeze({ version: '0.1.0' }))
