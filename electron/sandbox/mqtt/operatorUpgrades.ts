import type { IncomingMessage } from 'node:http'

// Who an MQTT over WebSocket connection is: its upgrade request was signed (SigV4, presigned query)
// with the sandbox's own IAM credentials, which stand for the account. Such an operator may do
// everything (Connect, Publish, Subscribe, Receive on any topic), as the account's root IAM identity
// may on AWS; device (mTLS) connections are judged by their certificate's policies instead.

export interface OperatorPrincipal {
  /** The access key id the upgrade was signed with; also the lifecycle events' principalIdentifier. */
  accessKeyId: string
}

/** The upgrade requests whose signature checked out, until their connection is admitted. */
export class OperatorUpgrades {
  private readonly verified = new WeakMap<IncomingMessage, OperatorPrincipal>()

  /** Records that `req` was signed by the sandbox's credentials. */
  verifiedUpgrade(req: IncomingMessage, principal: OperatorPrincipal): void {
    this.verified.set(req, principal)
  }

  /** The operator behind a connection's upgrade request; undefined for a device (mTLS) connection. */
  of(req: IncomingMessage | undefined): OperatorPrincipal | undefined {
    return req ? this.verified.get(req) : undefined
  }
}
