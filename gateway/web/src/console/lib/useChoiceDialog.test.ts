import { describe, expect, it } from 'vitest'

import { useChoiceDialog } from './useChoiceDialog'

describe('useChoiceDialog', () => {
  it('is open while a choice is made, and closing forgets it', () => {
    const { choice, open } = useChoiceDialog<'move' | 'merge'>()
    expect(open.value).toBe(false)
    choice.value = 'move'
    expect(open.value).toBe(true)
    open.value = true // opening by itself chooses nothing new
    expect(choice.value).toBe('move')
    open.value = false
    expect(choice.value).toBeNull()
  })
})
