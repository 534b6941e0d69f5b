import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { DescribeCertificateCommand } from '@aws-sdk/client-iot'
import type { Handlers } from '../../contract'
import { exportCertificateBundle } from '../certificateBundle'
import { rememberChosenExportFolder, wasChosenExportFolder } from '../chosenExportFolders'
import { writableFolderProblem } from '../exportFolder'
import type { BackendContext } from './context'
import { BackendError } from './errors'

/**
 * provisioning.exportBundle: the files the AWS console offers after creating a certificate, written
 * by the back end. The private key goes from the vault straight to the file (owner-only); it never
 * crosses the bridge. files.chooseExportFolder: where bundles go, asked in the native dialog.
 */
export function exportBundleHandler(ctx: BackendContext): Pick<Handlers, 'provisioning.exportBundle' | 'files.chooseExportFolder'> {
  return {
    'provisioning.exportBundle': async ({ certificateId, thingName, folder: chosen }) => {
      // The folder first: one that cannot take the bundle is reported before AWS is asked anything.
      if (chosen !== undefined) {
        if (ctx.dialogs && !(await wasChosenExportFolder(ctx.session.layout.settingsFile, chosen)))
          throw new BackendError('InvalidArguments', `The export folder ${chosen} was not chosen in this app's folder dialog: choose it there (the export folder's Choose… or Change… button)`)
        const problem = await writableFolderProblem(chosen)
        if (problem) throw new BackendError('InvalidArguments', `The export folder ${chosen} cannot take the bundle (${problem}): choose a folder you can write to`)
      }
      const iot = await ctx.iot()
      const described = await iot.send(new DescribeCertificateCommand({ certificateId }))
      const certificatePem = described.certificateDescription?.certificatePem
      if (!certificatePem) throw new Error(`DescribeCertificate answered without the PEM of ${certificateId}`)

      // Thing names may hold ":", which Windows and the macOS Finder do not allow in a folder name.
      const suggestedName = `${thingName.replaceAll(':', '_')}-${timestamp(new Date())}`
      const folder =
        chosen !== undefined
          ? await freeFolder(join(chosen, suggestedName))
          : ctx.dialogs
            ? await ctx.dialogs.chooseExportFolder(suggestedName)
            : await freeFolder(join(ctx.session.layout.root, 'exports', suggestedName))
      if (folder === null) return { cancelled: true }

      const files = await exportCertificateBundle(ctx.session, ctx.connection(), folder, { certificateId, certificatePem })
      return { folder, files }
    },
    'files.chooseExportFolder': async ({ current }) => {
      if (!ctx.dialogs) return { unsupported: true }
      const folder = await ctx.dialogs.chooseFolder(current)
      if (folder === null) return { cancelled: true }
      await rememberChosenExportFolder(ctx.session.layout.settingsFile, folder)
      return { folder }
    }
  }
}

/** YYYYMMDD-HHMMSS in local time: what the person exporting sees on their clock. */
function timestamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`
}

/** The folder, or folder-2, folder-3... when an export in the same second already took it. */
async function freeFolder(folder: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? folder : `${folder}-${n}`
    try {
      await stat(candidate)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return candidate
      throw err
    }
  }
}
