/**
 * The native dialogs a runtime may offer. Electron main implements them; the headless server has
 * none, so bundles go to <home>/exports, certificate files come from the page's file input and
 * endpoints are added with `thingbench connections add`.
 */
export interface NativeDialogs {
  /** Asks where to write a bundle; the answer is the folder to write into (created if needed), or null if cancelled. */
  chooseExportFolder(suggestedName: string): Promise<string | null>
  /** Asks which folder bundles go into from now on (starting at `current` if given); the folder, or null if cancelled. */
  chooseFolder(current?: string): Promise<string | null>
  /** Asks for a certificate file; its path, or null if cancelled. The back end reads it. */
  pickCertificateFile(): Promise<string | null>
  /**
   * Asks the person, in a dialog of the app itself (out of the page's reach), whether requests may be
   * signed with their AWS credentials and sent to this endpoint. True only when they confirm.
   */
  confirmEndpoint(url: string, region: string): Promise<boolean>
}
