import type { Handlers } from '../../contract'
import type { BackendContext } from './context'

/** files.pickCertificate: the native dialog where the runtime has one; the browser uses a file input. */
export function fileHandlers(ctx: BackendContext): Pick<Handlers, 'files.pickCertificate'> {
  return {
    'files.pickCertificate': async () => {
      if (!ctx.dialogs) return { unsupported: true }
      const picked = await ctx.dialogs.pickCertificateFile()
      return picked ? { pem: picked.pem, path: picked.path } : { cancelled: true }
    }
  }
}
