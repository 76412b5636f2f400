/** One of several dialogs of a page, chosen by a value (an action): `choice` names the one
 * shown (null: none), `open` is its v-model (closing it forgets the choice, which unmounts it). */
import { computed, ref, type Ref } from 'vue'

export function useChoiceDialog<T extends string>() {
  const choice = ref<T | null>(null) as Ref<T | null>
  const open = computed({
    get: () => choice.value !== null,
    set: (value: boolean) => {
      if (!value) choice.value = null
    },
  })
  return { choice, open }
}
