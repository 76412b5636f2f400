import { describe, expect, it } from 'vitest'

import { CursorPages } from './cursorPages'

describe('CursorPages', () => {
  it('starts on the first page, without a cursor and without a next page', () => {
    const pages = new CursorPages()
    expect(pages.number).toBe(1)
    expect(pages.current).toBeUndefined()
    expect(pages.hasPrevious).toBe(false)
    expect(pages.hasNext).toBe(false)
  })

  it('goes forward with the cursor the server gave and back with the one used before', () => {
    const pages = new CursorPages()
    pages.answered('c2')
    expect(pages.hasNext).toBe(true)
    expect(pages.forward()).toBe('c2')
    pages.answered('c3')
    expect(pages.forward()).toBe('c3')
    expect(pages.number).toBe(3)
    pages.answered(null)
    expect(pages.hasNext).toBe(false)
    expect(pages.back()).toBe('c2')
    expect(pages.number).toBe(2)
    expect(pages.hasNext).toBe(false) // until the page's answer says so again
    pages.answered('c3b')
    expect(pages.back()).toBeUndefined()
    expect(pages.hasPrevious).toBe(false)
  })

  it('forgets the pages after the one shown when another next page comes', () => {
    const pages = new CursorPages()
    pages.answered('c2')
    pages.forward()
    pages.answered('c3')
    pages.forward()
    pages.back()
    pages.answered('c3-new') // the list changed meanwhile
    expect(pages.forward()).toBe('c3-new')
    expect(pages.current).toBe('c3-new')
  })

  it('refuses to move past either end', () => {
    const pages = new CursorPages()
    expect(() => pages.back()).toThrow()
    expect(() => pages.forward()).toThrow()
  })

  it('goes back to where it was when a page could not be fetched, and resets', () => {
    const pages = new CursorPages()
    pages.answered('c2')
    pages.forward()
    pages.undo()
    expect(pages.number).toBe(1)
    expect(pages.current).toBeUndefined()
    expect(pages.hasNext).toBe(true) // the next page can be asked for again
    pages.forward()
    pages.answered('c3')
    pages.back()
    pages.undo()
    expect(pages.number).toBe(2)
    expect(pages.hasNext).toBe(true)
    pages.reset()
    expect(pages.number).toBe(1)
    expect(pages.hasNext).toBe(false)
  })
})
