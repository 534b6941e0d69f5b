import type { Handlers } from '../../contract'
import type { BackendContext } from './context'

export function appInfoHandler(ctx: BackendContext, info: { runtime: 'electron' | 'browser'; version: string }): Pick<Handlers, 'app.info'> {
  return {
    'app.info': async () => ({ version: info.version, runtime: info.runtime, platform: process.platform, home: ctx.session.layout.root })
  }
}
