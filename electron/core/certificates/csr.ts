import { createPublicKey, webcrypto, type KeyObject } from 'node:crypto'
import { KeyFormatError } from './errors'
import { exportPublicKey, readPrivateKey, type KeyPair } from './keys'
import { x509 } from './x509'

/** X.520 upper bound for a common name. */
const maxCommonNameLength = 64

const curveNames: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }

/** A PEM certificate signing request for the key pair, signed with SHA-256, subject CN=commonName. */
export async function createCsr(keys: KeyPair, subject: { commonName: string }): Promise<string> {
  const commonName = subject?.commonName
  if (typeof commonName !== 'string' || commonName.trim() === '' || commonName.length > maxCommonNameLength)
    throw new KeyFormatError(`The certificate's common name must be 1 to ${maxCommonNameLength} characters (got ${JSON.stringify(commonName)})`)
  const privateKey = readPrivateKey(keys.privateKeyPem)
  const publicKeyPem = exportPublicKey(createPublicKey(privateKey))
  if (keys.publicKeyPem && !samePublicKey(keys.publicKeyPem, publicKeyPem))
    throw new KeyFormatError('The public key does not belong to the private key: pass the pair exactly as generateKeyPair returned it')

  const algorithm = webCryptoAlgorithm(privateKey)
  const cryptoKeys: webcrypto.CryptoKeyPair = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ format: 'der', type: 'pkcs8' }), algorithm, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', createPublicKey(privateKey).export({ format: 'der', type: 'spki' }), algorithm, true, ['verify'])
  }
  const signingAlgorithm = algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' }
  // An explicit UTF8String keeps commas, plus signs, quotes and backslashes literal: plain strings,
  // even in the JSON form of a name, go through the library's DN unescaping.
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name([{ CN: [{ utf8String: commonName }] }]),
    keys: cryptoKeys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm
  })
  return csr.toString('pem')
}

function webCryptoAlgorithm(key: KeyObject): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  const curve = curveNames[key.asymmetricKeyDetails?.namedCurve ?? '']
  if (!curve)
    throw new KeyFormatError(`The EC key uses curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'}; AWS IoT accepts P-256, P-384 or P-521`)
  return { name: 'ECDSA', namedCurve: curve }
}

function samePublicKey(aPem: string, bPem: string): boolean {
  try {
    const der = (pem: string) => createPublicKey(pem).export({ format: 'der', type: 'spki' })
    return der(aPem).equals(der(bPem))
  } catch {
    return false
  }
}
