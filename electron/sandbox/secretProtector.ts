/**
 * Seals secrets the sandbox must keep (the CA's private key, the sandbox's secret access key) before
 * they touch the disk. The app passes one backed by its keychain vault; tests pass a small AES-GCM one.
 */
export interface SecretProtector {
  seal(plain: Buffer): Promise<Buffer>
  open(sealed: Buffer): Promise<Buffer>
}
