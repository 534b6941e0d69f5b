import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { CertificateDetails, CertificateSummary } from '../../../electron/contract/api'
import { useApi } from '../api/useApi'

export type CertificateStatus = 'ACTIVE' | 'INACTIVE' | 'REVOKED'

/** The Certificates registry: every certificate, the selected one's details, status changes. */
export const useCertificatesStore = defineStore('certificates', () => {
  const api = useApi()

  const certificates = ref<CertificateSummary[]>([])
  const loading = ref(false)
  const error = ref<unknown>(null)

  const selected = ref<CertificateDetails | null>(null)
  const selectedLoading = ref(false)
  const selectedError = ref<unknown>(null)
  const changingStatus = ref(false)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const all: CertificateSummary[] = []
      let nextToken: string | undefined
      do {
        const page = await api.call('certificates.list', { maxResults: 250, nextToken })
        all.push(...page.certificates)
        nextToken = page.nextToken
      } while (nextToken)
      certificates.value = all
    } catch (e) {
      error.value = e
    } finally {
      loading.value = false
    }
  }

  async function select(certificateId: string | null): Promise<void> {
    selected.value = null
    selectedError.value = null
    if (!certificateId) return
    selectedLoading.value = true
    try {
      selected.value = await api.call('certificates.describe', { certificateId })
    } catch (e) {
      selectedError.value = e
    } finally {
      selectedLoading.value = false
    }
  }

  async function setStatus(certificateId: string, status: CertificateStatus): Promise<boolean> {
    changingStatus.value = true
    selectedError.value = null
    try {
      const updated = await api.call('certificates.setStatus', { certificateId, status })
      selected.value = updated
      certificates.value = certificates.value.map((c) => (c.certificateId === certificateId ? { ...c, status: updated.status } : c))
      return true
    } catch (e) {
      selectedError.value = e
      return false
    } finally {
      changingStatus.value = false
    }
  }

  return { certificates, loading, error, selected, selectedLoading, selectedError, changingStatus, load, select, setStatus }
})
