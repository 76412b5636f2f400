import { describe, expect, it } from 'vitest'

import { MOBILE, needBody, statusTag } from './needs'

describe('a need as the form sends it', () => {
  it('trims what was typed and leaves an empty phone out', () => {
    expect(
      needBody({
        grid_path: '/hj/hj-s01/hj-s01-c01/hj-s01-c01-g01',
        category: 'repair',
        title: '  楼道灯不亮 ',
        description: '\n三单元二楼\n',
        resident_name: ' 王大爷 ',
        resident_phone: '  ',
      }),
    ).toEqual({
      grid_path: '/hj/hj-s01/hj-s01-c01/hj-s01-c01-g01',
      category: 'repair',
      title: '楼道灯不亮',
      description: '三单元二楼',
      resident_name: '王大爷',
      resident_phone: null,
    })
  })

  it('checks a mobile number as the gateway does', () => {
    expect(MOBILE.test('13800001111')).toBe(true)
    expect(MOBILE.test('23800001111')).toBe(false)
    expect(MOBILE.test('1380000111')).toBe(false)
  })

  it('colours each status', () => {
    expect(statusTag('open')).toBe('danger')
    expect(statusTag('done')).toBe('success')
    expect(statusTag('closed')).toBe('info')
  })
})
