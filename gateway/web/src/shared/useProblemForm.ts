/**
 * A form's view of a failed call: the server's message for the form as a whole and its
 * messages per field (shown next to the field), in the person's language.
 */
import { reactive, ref } from 'vue'
import { useI18n } from 'vue-i18n'

import { errorMessage } from './i18n'
import { ApiProblem } from './problem'

export function useProblemForm<F extends string>(fields: readonly F[]) {
  const { t } = useI18n()
  const message = ref('')
  const fieldErrors = reactive<Record<string, string>>({}) as Record<F, string>

  function clear() {
    message.value = ''
    for (const field of fields) fieldErrors[field] = ''
  }

  /** Shows what the failure says; returns it for the caller's own handling. */
  function show(error: unknown): unknown {
    clear()
    if (error instanceof ApiProblem) {
      for (const field of fields) fieldErrors[field] = error.fieldMessage(field) ?? ''
      const others = error.otherMessages(fields)
      message.value = [errorMessage(error, t), ...others].join('；')
    } else {
      message.value = errorMessage(error, t)
    }
    return error
  }

  clear()
  return { message, fieldErrors, clear, show }
}
