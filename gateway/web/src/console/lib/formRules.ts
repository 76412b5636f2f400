/** Form rules the registers' dialogs share. */
import type { FormItemRule } from 'element-plus'

type Translate = (key: string) => string

/** A reason of 2-200 characters, as the services take it (REASON in their schemas). */
export function reasonRules(t: Translate): FormItemRule[] {
  return [
    { required: true, whitespace: true, message: () => t('orgActions.reasonRequired') },
    { min: 2, max: 200, message: () => t('orgActions.reasonLength') },
  ]
}
