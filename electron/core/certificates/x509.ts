// @peculiar/x509 2.x resolves its algorithms through tsyringe, which needs the Reflect metadata
// polyfill loaded first; ES modules evaluate imports in order, so this file is the one way in.
import 'reflect-metadata'
import { webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1])

export { x509 }
