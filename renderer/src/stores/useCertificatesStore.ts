import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { CertificateDetails, CertificateSummary } from '@contract/api'
import { useApi } from '../api/useApi'
import { allPages, trackedCall } from './support/trackedCall'

export type CertificateStatus = 'ACTIVE' | 'INACTIVE' | 'REVOKED'

/** The Certificates registry: every certificate, the selected one's details, status changes. */
export const useCertificatesStore = defineStore('certificates', () => {
  const api = useApi()

  const certificates = ref<CertificateSummary[]>([])
  const listing = trackedCall()
  const selected = ref<CertificateDetails | null>(null)
  const describing = trackedCall()
  // A failed status change is shown where the details are.
  const statusChange = trackedCall(describing.error)

  function load(): Promise<boolean> {
    return listing.run(async () => {
      certificates.value = await allPages(async (nextToken) => {
        const page = await api.call('certificates.list', { maxResults: 250, nextToken })
        return { items: page.certificates, nextToken: page.nextToken }
      })
    })
  }

  async function select(certificateId: string | null): Promise<void> {
    selected.value = null
    describing.error.value = null
    if (!certificateId) return
    await describing.run(async () => {
      selected.value = await api.call('certificates.describe', { certificateId })
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
    load,
    select,
    setStatus
  }
})
