import type { CertificateFileView, Handlers } from '../../contract'
import { readCertificateFile, splitCertificateFile, type CertificateFileContent } from '../../core/certificates'
import { certificateView } from './certificates'
import type { BackendContext } from './context'

/**
 * files.pickCertificate (the native dialog, where the runtime has one) and files.readCertificate
 * (what the browser's file input read). Either way the file is split here: the UI gets the
 * certificate blocks, and a private key that belongs to the certificate stays in the back end.
 */
export function fileHandlers(ctx: BackendContext): Pick<Handlers, 'files.pickCertificate' | 'files.readCertificate'> {
  return {
    'files.pickCertificate': async () => {
      if (!ctx.dialogs) return { unsupported: true }
      const path = await ctx.dialogs.pickCertificateFile()
      return path === null ? { cancelled: true } : viewOf(ctx, path, await readCertificateFile(path))
    },
    'files.readCertificate': async ({ text, fileName }) => viewOf(ctx, fileName, splitCertificateFile(text, fileName))
  }
}

function viewOf(ctx: BackendContext, source: string, file: CertificateFileContent): CertificateFileView {
  if (file.privateKeyPem) ctx.heldKeys.hold(file.certificateId, file.privateKeyPem)
  return { source, certificatePem: file.certificatePem, certificate: certificateView(file.certificatePem), holdsPrivateKey: file.privateKeyPem !== undefined }
}
