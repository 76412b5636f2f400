/**
 * A form that is checked in the page first (its el-form rules), then sent: busy while the call
 * is out, and the server's messages shown (useProblemForm: per field next to the field, the rest
 * above the form). The page's <el-form> takes `ref="formRef"`.
 */
import { ref, useTemplateRef } from 'vue'
import type { FormInstance } from 'element-plus'

import { useProblemForm } from '@/shared/useProblemForm'

export function useFormSubmit<F extends string>(
  fields: readonly F[],
  send: () => Promise<void>,
  /** after the server's messages are shown: to place one the server gave no field */
  refused?: (error: unknown, problem: ReturnType<typeof useProblemForm<F>>) => void,
) {
  const formRef = useTemplateRef<FormInstance>('formRef')
  const busy = ref(false)
  const problem = useProblemForm(fields)

  async function submit() {
    problem.clear()
    if (!(await formRef.value?.validate().catch(() => false))) return
    busy.value = true
    try {
      await send()
    } catch (error) {
      problem.show(error)
      refused?.(error, problem)
    } finally {
      busy.value = false
    }
  }

  /** Checks one field again (after a choice made outside an input, such as an organization). */
  function recheck(field: string) {
    void formRef.value?.validateField(field).catch(() => undefined)
  }

  /** Empties the form and forgets the server's messages. */
  function reset() {
    formRef.value?.resetFields()
    problem.clear()
  }

  return { busy, problem, submit, recheck, reset }
}
