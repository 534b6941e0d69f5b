import { z } from 'zod'

// serial.*: the ports on this machine, opened by the UI's monitor, and what they receive.

/** A device path: /dev/… on macOS and Linux (a pty or socat link too), COMn or \\.\COMn on Windows. */
export const serialPathSchema = z
  .string()
  .min(1, 'Port path is required (e.g. /dev/ttyUSB0, /dev/pts/3 or COM3)')
  .max(1024, 'Port path must be at most 1024 characters')
  .regex(/^(\/.+|COM\d+|\\\\\.\\COM\d+)$/i, 'Port path must be a full path such as /dev/ttyUSB0 or /dev/pts/3 (or COM3 on Windows)')

/**
 * The Wi-Fi network a board joins, given to it over the cable (an ExpressLink module's SSID and
 * Passphrase keys, research §8; a JSON-lines board's wifi items): their sizes, and no control
 * characters, which neither an AT line nor a typed field carries.
 */
const printable = /^[^\u0000-\u001f\u007f]*$/
export const wifiSettingsSchema = z
  .object({
    ssid: z.string().min(1, 'give the Wi-Fi network\'s name').max(32, 'at most 32 characters (the size of an ExpressLink module\'s SSID key)').regex(printable, 'no control characters (tabs, line breaks)'),
    /** Empty for an open network. Written to the board only; never logged, shown or kept on disk by ThingBench. */
    passphrase: z.string().max(64, 'at most 64 characters (the size of an ExpressLink module\'s Passphrase key)').regex(printable, 'no control characters (tabs, line breaks)')
  })
  .strict()
export type WifiSettings = z.infer<typeof wifiSettingsSchema>

export const baudRateSchema = z
  .number({ error: 'Baud rate must be a number, e.g. 115200' })
  .int('Baud rate must be a whole number, e.g. 115200')
  .min(50, 'Baud rate must be at least 50')
  .max(4_000_000, 'Baud rate must be at most 4000000 (common rates: 9600, 115200, 921600)')

export const portSettingsSchema = z
  .object({
    baudRate: baudRateSchema.default(115_200),
    dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)], { error: 'Data bits must be 5, 6, 7 or 8' }).default(8),
    parity: z.enum(['none', 'even', 'odd', 'mark', 'space'], { error: 'Parity must be none, even, odd, mark or space' }).default('none'),
    stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)], { error: 'Stop bits must be 1, 1.5 or 2' }).default(1),
    flowControl: z.enum(['none', 'rtscts', 'xonxoff'], { error: 'Flow control must be none, rtscts (hardware) or xonxoff (software)' }).default('none'),
    /** Set right after opening (many boards reset when DTR goes low then high). */
    dtr: z.boolean().optional(),
    rts: z.boolean().optional()
  })
  .strict()

export const serialOpenArgsSchema = portSettingsSchema.extend({ path: serialPathSchema }).strict()

export const lineEndingSchema = z.enum(['none', 'lf', 'cr', 'crlf'], { error: 'Line ending must be none, lf, cr or crlf' })

const hexBytesSchema = z
  .string()
  .transform((text) => text.replace(/[\s:,-]|0x/gi, ''))
  .pipe(
    z
      .string()
      .min(2, 'Hex bytes are required, e.g. "41 54 0d 0a"')
      .regex(/^[0-9a-f]*$/i, 'Hex bytes may contain only 0-9, a-f and spaces, e.g. "41 54 0d 0a"')
      .refine((digits) => digits.length % 2 === 0, 'Hex bytes need two digits each, e.g. "0d 0a" (an odd number of digits was given)')
  )

export const serialWriteArgsSchema = z.discriminatedUnion('encoding', [
  z.object({ path: serialPathSchema, encoding: z.literal('text'), text: z.string().max(65_536, 'Text must be at most 65536 characters'), lineEnding: lineEndingSchema.default('none') }).strict(),
  z.object({ path: serialPathSchema, encoding: z.literal('hex'), hex: hexBytesSchema }).strict()
])

export const serialSignalsArgsSchema = z
  .object({ path: serialPathSchema, dtr: z.boolean().optional(), rts: z.boolean().optional() })
  .strict()
  .refine((args) => args.dtr !== undefined || args.rts !== undefined, 'Give dtr, rts or both (true asserts the line)')

export const serialRenameArgsSchema = z.object({ path: serialPathSchema, friendlyName: z.string().max(64, 'Friendly name must be at most 64 characters (an empty name forgets it)') }).strict()

export interface SerialPortView {
  path: string
  manufacturer?: string
  serialNumber?: string
  vendorId?: string
  productId?: string
  /** The identity the friendly name follows: usb:<vid>:<pid>:<serial>, device:<id> or path:<path>. */
  key: string
  friendlyName?: string
  /** A path the user added (pseudo-terminals and socat links are never in the OS list). */
  watched: boolean
  present: boolean
  /** Who holds the port open: "serial monitor" for the UI, or a driver / the bench. */
  heldBy?: string
  state?: SerialPortState
}

export type SerialPortState = 'open' | 'vanished' | 'reopened' | 'closed'

export interface SerialListView {
  ports: SerialPortView[]
  /** Why the list may miss ports or details (e.g. udevadm missing); absent when discovery is complete. */
  degraded?: string
}

export interface SerialDataChunk {
  /** ms since the epoch when the bytes arrived. */
  at: number
  base64: string
}
