// Private keys found in certificate files the UI had the back end read. They wait here, in this
// process's memory only, until a plan for that certificate keeps its key in the vault; they never
// cross to the UI and are never written anywhere else. The UI learns only that a key is held.

/** A person reads a few files per device; older keys than this many are forgotten. */
const maxHeld = 32

export class HeldPrivateKeys {
  private readonly keys = new Map<string, string>()

  /** Holds the private key of the certificate with this id (SHA-256 of its DER). */
  hold(certificateId: string, privateKeyPem: string): void {
    this.keys.delete(certificateId)
    this.keys.set(certificateId, privateKeyPem)
    while (this.keys.size > maxHeld) this.keys.delete(this.keys.keys().next().value!)
  }

  get(certificateId: string): string | undefined {
    return this.keys.get(certificateId)
  }

  /** Once the key is in the vault, the copy here goes. */
  forget(certificateId: string): void {
    this.keys.delete(certificateId)
  }
}
