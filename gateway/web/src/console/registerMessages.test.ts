import { describe, expect, it } from 'vitest'

import { registerMessages } from './registerMessages'

type Tree = { [key: string]: string | Tree }

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [prefix + key] : keys(value, `${prefix}${key}.`),
  )
}

describe('registerMessages', () => {
  it('has every text in both languages', () => {
    expect(keys(registerMessages.en).sort()).toEqual(keys(registerMessages['zh-CN']).sort())
  })

  it('uses the same placeholders in both languages', () => {
    const zh = registerMessages['zh-CN'] as Tree
    const en = registerMessages.en as Tree
    const at = (tree: Tree, key: string) =>
      key.split('.').reduce<string | Tree>((node, part) => (node as Tree)[part] as Tree, tree)
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const key of keys(zh)) {
      expect(names(at(en, key) as string), key).toEqual(names(at(zh, key) as string))
    }
  })
})
