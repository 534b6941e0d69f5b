/**
 * The native dialogs a runtime may offer. Electron main implements them; the headless server has
 * none, so bundles go to <home>/exports and certificate files come from the page's file input.
 */
export interface NativeDialogs {
  /** Asks where to write a bundle; the answer is the folder to write into (created if needed), or null if cancelled. */
  chooseExportFolder(suggestedName: string): Promise<string | null>
  /** Asks for a certificate file and reads it; null if cancelled. */
  pickCertificateFile(): Promise<{ path: string; pem: string } | null>
}
