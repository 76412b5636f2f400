/** How the phone pages write times and coded words. */
import { useI18n } from 'vue-i18n'

import { formatDateTime } from '@/console/lib/time'

/** `t` for coded words (categories, meeting kinds): the code itself when no text names it. */
export function useLabels() {
  const { t, te } = useI18n()
  const label = (prefix: string, code: string) =>
    te(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code
  return { t, label, when: formatDateTime }
}
