// How soon a certificate stops working, for the Certificates view: AWS IoT refuses an expired
// certificate at connect time, so one about to expire is worth pointing out.

export const expiryWarningDays = 30
const dayMs = 24 * 60 * 60 * 1000

export type ExpiryState = 'expired' | 'soon' | 'ok' | 'unknown'

export function expiryState(notAfter: string | undefined, now: Date = new Date()): { state: ExpiryState; days: number | null } {
  const end = notAfter ? Date.parse(notAfter) : NaN
  if (Number.isNaN(end)) return { state: 'unknown', days: null }
  const days = Math.floor((end - now.getTime()) / dayMs)
  if (end <= now.getTime()) return { state: 'expired', days }
  return { state: days < expiryWarningDays ? 'soon' : 'ok', days }
}

export function expiryText(notAfter: string | undefined, now: Date = new Date()): string {
  const { state, days } = expiryState(notAfter, now)
  if (state === 'unknown') return 'Expiry unknown'
  if (state === 'expired') return 'Expired: AWS IoT refuses it at connect time'
  if (days === 0) return 'Expires within a day'
  return `Expires in ${days} ${days === 1 ? 'day' : 'days'}`
}
