// Browser mode: the built renderer and the contract over a WebSocket on 127.0.0.1.
export { startHeadlessServer, RendererMissingError, type HeadlessServer, type HeadlessServerOptions } from './server'
export { maxMessageBytes } from './socketProtocol'
