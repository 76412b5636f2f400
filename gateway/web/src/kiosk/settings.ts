/**
 * What a kiosk remembers (localStorage): its pairing (device id, token, place) from
 * POST /api/v1/kiosk/pair and how its card reader types UIDs. It finds its meetings itself
 * (meetings.ts).
 */
import type { ByteOrder, UidFormat } from './uid'

export interface Pairing {
  device_id: string
  token: string
  org_id: string
  place: string
}

export interface KioskSettings extends Pairing {
  uid_format: UidFormat
  byte_order: ByteOrder
}

const KEY = 'dangjian.kiosk.settings'

function isSettings(value: unknown): value is KioskSettings {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    ['device_id', 'token', 'org_id', 'place'].every(
      (key) => typeof v[key] === 'string' && v[key] !== '',
    ) &&
    (v.uid_format === 'hex' || v.uid_format === 'decimal') &&
    (v.byte_order === 'as_read' || v.byte_order === 'reversed')
  )
}

export function loadSettings(): KioskSettings | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? 'null')
    return isSettings(value) ? value : null
  } catch {
    return null
  }
}

export function saveSettings(settings: KioskSettings | null): void {
  if (settings) localStorage.setItem(KEY, JSON.stringify(settings))
  else localStorage.removeItem(KEY)
}
