// The last line of defence before a log line reaches the disk: whatever a message, a stack or a
// field holds, PEM private keys and AWS secrets come out. Works on raw text and on a JSON line
// (where a PEM's newlines are written as \n).

const privateKeyBlock = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(?:[\s\S]*?-----END \1PRIVATE KEY-----|[^"]*)/g
/** A labelled secret: `aws_secret_access_key = …`, `"secretAccessKey":"…"`, `x-amz-security-token: …`. */
const labelledSecret =
  /((?:aws_)?secret_?access_?key|(?:aws_)?session_?token|x-amz-security-token|secret-access-key|session-token)((?:\\?")?\s*[:=]\s*(?:\\?")?)([^\s"\\,;}]+)/gi
/** 40 characters of base64 standing alone: the shape of every AWS secret access key. */
const secretAccessKeyShape = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g
/** A long base64 run, e.g. an STS session token (hundreds of characters). */
const longToken = /[A-Za-z0-9/+]{100,}={0,2}/g

export const removedPrivateKey = '[private key removed]'
export const removedSecret = '[secret removed]'

export function scrubSecrets(text: string): string {
  return text
    .replace(privateKeyBlock, removedPrivateKey)
    .replace(labelledSecret, (_match, label: string, separator: string) => `${label}${separator}${removedSecret}`)
    .replace(secretAccessKeyShape, (token) => (looksRandom(token) ? removedSecret : token))
    .replace(longToken, removedSecret)
}

/** Mixed case and a digit: a random key, not a hex digest or a path of words. */
function looksRandom(token: string): boolean {
  return /[a-z]/.test(token) && /[A-Z]/.test(token) && /[0-9]/.test(token)
}
