/** Dates and times as the console shows and sends them: shown in the browser's time zone,
 * sent as ISO 8601 with that zone's offset (the API refuses times without one). */

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0')

function local(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

/** "2026-01-05 17:00" (an invalid or missing value: "-") */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '-'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return '-'
  return `${local(date)} ${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** "17:00:05" (or "17:00" without the seconds) */
export function formatTime(iso: string, seconds = true): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return '-'
  const minutes = `${pad(date.getHours())}:${pad(date.getMinutes())}`
  return seconds ? `${minutes}:${pad(date.getSeconds())}` : minutes
}

/** "2026-01-05T17:00:00+08:00": the moment, written in the browser's zone with its offset. */
export function withOffset(date: Date): string {
  const offset = -date.getTimezoneOffset()
  const sign = offset >= 0 ? '+' : '-'
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  return `${local(date)}T${time}${zone}`
}

function startOfDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate())
}

/** The month around `date`: its first and last day. */
export function monthOf(date: Date): [Date, Date] {
  return [
    new Date(date.getFullYear(), date.getMonth(), 1),
    new Date(date.getFullYear(), date.getMonth() + 1, 0),
  ]
}

/** The API's [from, to) for the days `first` to `last`, both included. */
export function daysQuery(first: Date, last: Date): { from: string; to: string } {
  const end = startOfDay(last)
  end.setDate(end.getDate() + 1)
  return { from: withOffset(startOfDay(first)), to: withOffset(end) }
}

/** The month of a date where the console runs ('2026-11'). */
export function monthKey(day: Date): string {
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}`
}
