// The JSON-lines driver for custom firmware (docs/serial-json-lines.md): give it an open port.
export { JsonLinesDriver, provisionItemsOf, type Diagnostic, type DiagnosticKind, type DriverLog, type JsonLinesDriverOptions, type JsonLinesEvents, type ProvisionInput, type Traffic } from './jsonLinesDriver'
export { JsonLinesClosedError, JsonLinesConnectTimeoutError, JsonLinesDeviceError, JsonLinesTimeoutError, JsonLinesUnexpectedReplyError, JsonLinesWriteError } from './errors'
export { errorCodes, maxLineBytes, protocolVersion, recommendedBaudRate, type DeviceConnection, type DeviceHello, type DeviceLog, type DeviceReported, type ErrorCode } from './protocol'
