// The ExpressLink error codes (research/expresslink.md §5, Table 1 of the Programmer's Guide) and the
// CONNECT hint codes (§10), each in words a technician can act on. The numbers are what count: the
// module's own text is for humans and varies between vendors.

export interface CodeExplanation {
  /** The text the spec gives the code, e.g. `PARAMETER ERROR`. */
  text: string
  /** What it means and what to do, in plain words. */
  explanation: string
}

export const errorCodes: Record<number, CodeExplanation> = {
  1: { text: 'OVERFLOW', explanation: 'the command was longer than the module can take in (9 KB at most); send less at once' },
  2: { text: 'PARSE ERROR', explanation: 'the command was badly formatted: after the command word comes an optional number, then one space and the parameter' },
  3: { text: 'COMMAND NOT FOUND', explanation: 'the module does not know this command (check the spelling, or its TechSpec version)' },
  4: { text: 'PARAMETER ERROR', explanation: 'the module did not accept the parameter: missing or unexpected number suffix, a value too long for the key, or (for a shadow update) not valid JSON' },
  5: { text: 'INVALID ESCAPE', explanation: 'the parameter holds a backslash sequence other than \\A (line feed), \\D (carriage return) or \\\\ (backslash)' },
  6: { text: 'NO CONNECTION', explanation: 'the command needs a connection to AWS IoT: connect the module first (AT+CONNECT)' },
  7: { text: 'OUT OF RANGE', explanation: 'the topic or shadow index is 0 or above the module\'s maximum' },
  8: { text: 'PARAMETER UNDEFINED', explanation: 'the topic or shadow at that index is not configured: set Topic# or Shadow# first' },
  9: { text: 'INVALID KEY LENGTH', explanation: 'configuration keys are at most 16 characters' },
  10: { text: 'INVALID KEY NAME', explanation: 'configuration keys are letters and digits only' },
  11: { text: 'UNKNOWN KEY', explanation: 'the module has no configuration key of that name (keys are case-sensitive: Endpoint, not ENDPOINT)' },
  12: { text: 'KEY READONLY', explanation: 'that configuration key can be read but not written' },
  13: { text: 'KEY WRITEONLY', explanation: 'that configuration key can be written but never read back (a secret such as the Wi-Fi passphrase)' },
  14: { text: 'UNABLE TO CONNECT', explanation: 'the module could not connect to AWS IoT' },
  15: { text: 'TIME NOT AVAILABLE', explanation: 'the module has no time fix yet' },
  16: { text: 'LOCATION NOT AVAILABLE', explanation: 'the module has no location fix' },
  17: { text: 'MODE NOT AVAILABLE', explanation: 'the module does not support the requested mode' },
  18: { text: 'ACTIVE CONNECTION', explanation: 'the module is connected, which prevents this command: disconnect first (AT+DISCONNECT)' },
  19: { text: 'HOST IMAGE NOT AVAILABLE', explanation: 'there is no valid host OTA image to read, seek or apply' },
  20: { text: 'INVALID ADDRESS', explanation: 'the OTA seek address is beyond the end of the image' },
  21: { text: 'INVALID OTA UPDATE', explanation: 'the OTA update failed, or there is no update pending to accept' },
  22: { text: 'RESERVED', explanation: 'code 22 is reserved by the specification (old modules: invalid query)' },
  23: { text: 'INVALID SIGNATURE', explanation: 'a signature check failed (a certificate or an OTA image)' },
  24: { text: 'SHADOW ERROR', explanation: 'the shadow request was refused: shadows need EnableShadow=1, an onboarded module and a connection; or too many requests at once, or a client token in the document while ShadowToken is set' },
  25: { text: 'NOT ALLOWED', explanation: 'the module is busy with something that conflicts (configuration mode, or a CONNECT! still in progress)' },
  26: { text: 'INVALID CERTIFICATE', explanation: 'the certificate given is corrupt or not a valid X.509 PEM' },
  27: { text: 'BLE ERROR', explanation: 'a Bluetooth LE command failed' },
  28: { text: 'CONFIGURATION ERROR', explanation: 'the command needs configuration that has not been entered' },
  29: { text: 'INSUFFICIENT SECURITY', explanation: 'the Bluetooth LE subscription security level is too low' }
}

/** How far a connection got before it failed (ERR14 and CONNECT event 6); vendors may add dotted sub-steps. */
export const connectHints: Record<number, CodeExplanation> = {
  0: { text: 'CONNECTED', explanation: 'the connection succeeded' },
  1: { text: 'BACKOFF', explanation: 'a retry came too soon after a failure: the module imposes a back-off delay; wait a few seconds and connect again' },
  2: { text: 'NETWORK', explanation: 'the module could not join the network: for Wi-Fi, give it the SSID and passphrase (the Wi-Fi fields of the onboarding, or AT+CONF SSID= and Passphrase=); for cellular, check the APN and coverage' },
  3: { text: 'ENDPOINT', explanation: 'the module could not reach the AWS IoT endpoint: check Endpoint (it must be the account\'s iot:Data-ATS endpoint)' },
  4: { text: 'TLS', explanation: 'the secure (TLS) connection failed: the server certificate did not verify against RootCA, or the module\'s clock is wrong' },
  5: { text: 'MQTT LOGIN', explanation: 'AWS IoT refused the module: its certificate is not registered or not ACTIVE in this account, or no policy allows iot:Connect for its client id' },
  6: { text: 'RESERVED TOPICS', explanation: 'the module connected but could not subscribe to its reserved topics (jobs, shadow): the policy lacks those permissions' }
}

export function explainError(code: number): CodeExplanation {
  return errorCodes[code] ?? { text: `ERR${code}`, explanation: code >= 1000 ? `vendor-specific error ${code}: see the module's datasheet` : `error ${code} is not in the ExpressLink specification` }
}

/** The hint's words; a dotted vendor sub-step (`5.1`) is explained by its main step. */
export function explainHint(hint: string): CodeExplanation {
  const main = Number(hint.split('.')[0])
  return connectHints[main] ?? { text: `HINT ${hint}`, explanation: `connection hint ${hint} is not in the ExpressLink specification: see the module's datasheet` }
}
