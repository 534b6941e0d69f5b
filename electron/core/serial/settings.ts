// How a port is opened: the line settings a board's firmware expects, and the modem lines many
// boards reset on (DTR low → high resets an ESP32 or an Arduino Uno).

export const dataBitsChoices = [5, 6, 7, 8] as const
export const parityChoices = ['none', 'even', 'odd', 'mark', 'space'] as const
export const stopBitsChoices = [1, 1.5, 2] as const
export const flowControlChoices = ['none', 'rtscts', 'xonxoff'] as const

export interface PortSettings {
  baudRate: number
  dataBits: (typeof dataBitsChoices)[number]
  parity: (typeof parityChoices)[number]
  stopBits: (typeof stopBitsChoices)[number]
  flowControl: (typeof flowControlChoices)[number]
  /** Set right after opening; absent leaves the line as the OS opened it (asserted). */
  dtr?: boolean
  rts?: boolean
}

export const defaultPortSettings: PortSettings = { baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' }

export interface Signals {
  dtr?: boolean
  rts?: boolean
}
