import {
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCertificateCommand
} from '@aws-sdk/client-iot'
import type { CertificateChoice, ProvisionPlan, ProvisionStep } from '../../contract'
import { generateKeyPairWithCsr, parseCertificate } from '../certificates'
import { LocalStepError } from './errors'
import type { JournalRun } from './journal'
import { journaledWrite, type ProvisionContext } from './runContext'

export interface IssuedCertificate {
  certificateId: string
  certificateArn: string
  certificatePem: string
  privateKeyInVault: boolean
}

/** How a step ended: done (with a detail for the progress line) or skipped (with the reason). */
export type StepOutcome = { done: string } | { skipped: string }
export type StepRunner = (step: ProvisionStep, body: () => Promise<StepOutcome>) => Promise<void>

/**
 * generateKey -> createCertificate (INACTIVE) -> storeKey -> activateCertificate, for the three
 * certificate paths. On the CSR path the key goes into the vault under the run id before the CSR
 * is sent and is renamed to the certificate id after, so no crash can orphan a certificate's key.
 */
export async function issueCertificate(plan: ProvisionPlan, ctx: ProvisionContext, run: JournalRun, runStep: StepRunner): Promise<IssuedCertificate> {
  const choice: CertificateChoice = plan.certificate
  const { iot, vault } = ctx
  // The existing certificate's own key, read from its file: kept in the vault, never sent (provision checked it belongs).
  const keptKey = choice.mode === 'existing' && choice.keepPrivateKey ? ctx.existingCertificateKey : undefined
  let csrPem: string | undefined
  let csrPublicKeyPem: string | undefined
  let awsPrivateKey: string | undefined
  let issued: Omit<IssuedCertificate, 'privateKeyInVault'> | undefined

  await runStep('generateKey', async () => {
    if (choice.mode !== 'csr') return { skipped: choice.mode === 'aws' ? 'AWS generates the key pair' : keptKey ? 'the private key comes from the certificate file' : 'the private key stays on the device' }
    // The CSR is made with the fresh key at once; the key then only exists sealed in the vault.
    const { privateKeyPem, publicKeyPem, csrPem: csr } = await generateKeyPairWithCsr(choice.keyAlgorithm, { commonName: csrCommonName(plan.thingName) })
    csrPem = csr
    csrPublicKeyPem = publicKeyPem
    await journaledWrite(run, 'generateKey', { kind: 'vaultKey', keyId: run.runId }, () =>
      vault.put(run.runId, privateKeyPem, { thingName: plan.thingName, runId: run.runId })
    )
    return { done: `${choice.keyAlgorithm} key pair, kept in the vault` }
  })

  await runStep('createCertificate', async () => {
    if (choice.mode === 'csr') {
      const csr = csrPem!
      const out = await journaledWrite(
        run,
        'createCertificate',
        { kind: 'certificate', via: 'csr' },
        () => iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr, setAsActive: false })),
        (o) => ({ kind: 'certificate', via: 'csr', certificateId: o.certificateId, certificateArn: o.certificateArn })
      )
      issued = required(out.certificateId, out.certificateArn, out.certificatePem, 'CreateCertificateFromCsr')
      // AWS certifies the CSR's key; an emulator may not (moto makes up a key pair of its own). Such a
      // certificate would be useless to the device, so the run fails here and is undone.
      if (parseCertificate(issued.certificatePem, 'The certificate CreateCertificateFromCsr returned').publicKeyPem !== csrPublicKeyPem)
        throw new LocalStepError(
          'CertificateKeyMismatch',
          `CreateCertificateFromCsr returned certificate ${issued.certificateId} for another public key than the one in the CSR, so the key kept in the vault cannot use it. ` +
            'This service does not sign CSRs as AWS IoT does: let it make the key pair (CreateKeysAndCertificate) or register an existing certificate'
        )
    } else if (choice.mode === 'aws') {
      const out = await journaledWrite(
        run,
        'createCertificate',
        { kind: 'certificate', via: 'aws' },
        () => iot.send(new CreateKeysAndCertificateCommand({ setAsActive: false })),
        (o) => ({ kind: 'certificate', via: 'aws', certificateId: o.certificateId, certificateArn: o.certificateArn })
      )
      issued = required(out.certificateId, out.certificateArn, out.certificatePem, 'CreateKeysAndCertificate')
      awsPrivateKey = out.keyPair?.PrivateKey
      if (!awsPrivateKey) throw new LocalStepError('InternalFailureException', 'CreateKeysAndCertificate returned no private key')
    } else {
      // The service names the certificate in its answer (AWS by the SHA-256 of the DER, moto otherwise);
      // until then the SHA-256 is what finds it again if the answer is lost.
      const certificateSha256 = parseCertificate(choice.certificatePem).certificateId
      const out = await journaledWrite(
        run,
        'createCertificate',
        { kind: 'certificate', via: 'existing', certificateSha256 },
        () => iot.send(new RegisterCertificateWithoutCACommand({ certificatePem: choice.certificatePem, status: 'INACTIVE' })),
        (o) => ({ kind: 'certificate', via: 'existing', certificateId: o.certificateId, certificateArn: o.certificateArn })
      )
      issued = required(out.certificateId, out.certificateArn, choice.certificatePem, 'RegisterCertificateWithoutCA')
    }
    return { done: `${issued.certificateId} (INACTIVE)` }
  })
  const certificate = issued!

  await runStep('storeKey', async () => {
    if (choice.mode === 'csr') {
      const from = run.runId
      await journaledWrite(run, 'storeKey', { kind: 'renameVaultKey', from, to: certificate.certificateId }, () =>
        vault.rename(from, certificate.certificateId)
      )
      return { done: 'private key filed under the certificate id' }
    }
    if (choice.mode === 'aws') {
      const pem = awsPrivateKey!
      await journaledWrite(run, 'storeKey', { kind: 'vaultKey', keyId: certificate.certificateId }, () =>
        vault.put(certificate.certificateId, pem, { thingName: plan.thingName, runId: run.runId })
      )
      awsPrivateKey = undefined
      return { done: 'private key from AWS kept in the vault' }
    }
    if (keptKey) {
      await journaledWrite(run, 'storeKey', { kind: 'vaultKey', keyId: certificate.certificateId }, () =>
        vault.put(certificate.certificateId, keptKey, { thingName: plan.thingName, runId: run.runId })
      )
      return { done: 'private key from the certificate file kept in the vault (never sent to AWS)' }
    }
    return { skipped: 'the private key stays on the device' }
  })

  await runStep('activateCertificate', async () => {
    await journaledWrite(run, 'activateCertificate', { kind: 'activateCertificate', certificateId: certificate.certificateId }, () =>
      iot.send(new UpdateCertificateCommand({ certificateId: certificate.certificateId, newStatus: 'ACTIVE' }))
    )
    return { done: 'ACTIVE' }
  })

  return { ...certificate, privateKeyInVault: choice.mode !== 'existing' || keptKey !== undefined }
}

/** Thing names run to 128 characters, a CN to 64; AWS replaces the CSR's subject anyway. */
function csrCommonName(thingName: string): string {
  return thingName.slice(0, 64)
}

function required(certificateId: string | undefined, certificateArn: string | undefined, certificatePem: string | undefined, operation: string) {
  if (!certificateId || !certificateArn || !certificatePem)
    throw new LocalStepError('InternalFailureException', `${operation} answered without the certificate id, ARN or PEM`)
  return { certificateId, certificateArn, certificatePem }
}
