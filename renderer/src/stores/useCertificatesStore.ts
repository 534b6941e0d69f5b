import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { CertificateDetails, CertificateSummary } from '@contract/api'
import { useApi } from '../api/useApi'
import { allPages, trackedCall } from './support/trackedCall'

export type CertificateStatus = 'ACTIVE' | 'INACTIVE' | 'REVOKED'

/** Certificates asked about per certificates.things call (the contract's most). */
const thingNamesBatch = 50

/** The Certificates registry: every certificate, the selected one's details, status changes. */
export const useCertificatesStore = defineStore('certificates', () => {
  const api = useApi()

  const certificates = ref<CertificateSummary[]>([])
  const listing = trackedCall()
  const selected = ref<CertificateDetails | null>(null)
  const describing = trackedCall()
  // A failed status change is shown where the details are.
  const statusChange = trackedCall(describing.error)
  /**
   * The Thing column: the things each certificate (by ARN) is attached to. ListPrincipalThings is one
   * call per certificate (10 a second on AWS), so the names are fetched in batches after the list
   * shows, kept across reloads, and refreshed for a certificate whenever its details are read.
   */
  const thingNames = shallowRef<ReadonlyMap<string, string[]>>(new Map())
  const thingNamesError = ref<unknown>(null)
  let thingNamesGeneration = 0

  async function loadThingNames(): Promise<void> {
    const generation = ++thingNamesGeneration
    thingNamesError.value = null
    const wanted = certificates.value.map((c) => c.certificateArn).filter((arn) => arn && !thingNames.value.has(arn))
    try {
      for (let i = 0; i < wanted.length; i += thingNamesBatch) {
        const answer = await api.call('certificates.things', { certificateArns: wanted.slice(i, i + thingNamesBatch) })
        if (generation !== thingNamesGeneration) return
        thingNames.value = new Map([...thingNames.value, ...Object.entries(answer)])
      }
    } catch (e) {
      if (generation === thingNamesGeneration) thingNamesError.value = e
    }
  }

  function rememberThings(details: CertificateDetails): void {
    thingNames.value = new Map([...thingNames.value, [details.certificateArn, details.things]])
  }

  function load(): Promise<boolean> {
    return listing.run(async () => {
      certificates.value = await allPages(async (nextToken) => {
        const page = await api.call('certificates.list', { maxResults: 250, nextToken })
        return { items: page.certificates, nextToken: page.nextToken }
      })
      void loadThingNames()
    })
  }

  /** A reload after the connection changed: nothing known of the other account's certificates applies. */
  function forgetThingNames(): void {
    thingNamesGeneration++
    thingNames.value = new Map()
  }

  async function select(certificateId: string | null): Promise<void> {
    selected.value = null
    describing.error.value = null
    if (!certificateId) return
    await describing.run(async () => {
      selected.value = await api.call('certificates.describe', { certificateId })
      rememberThings(selected.value)
    })
  }

  function setStatus(certificateId: string, status: CertificateStatus): Promise<boolean> {
    return statusChange.run(async () => {
      const updated = await api.call('certificates.setStatus', { certificateId, status })
      selected.value = updated
      certificates.value = certificates.value.map((c) => (c.certificateId === certificateId ? { ...c, status: updated.status } : c))
    })
  }

  return {
    certificates,
    loading: listing.pending,
    error: listing.error,
    selected,
    selectedLoading: describing.pending,
    selectedError: describing.error,
    changingStatus: statusChange.pending,
    thingNames,
    thingNamesError,
    load,
    forgetThingNames,
    select,
    setStatus
  }
})
