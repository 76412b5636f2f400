/**
 * vue-i18n for every page: zh-CN by default, en as the second language. Each page brings its own
 * messages on top of the shared ones; the choice is remembered in localStorage.
 */
import { createI18n } from 'vue-i18n'

import { ApiProblem, NetworkError } from './problem'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'
const LOCALE_KEY = 'dangjian.locale'

type Messages = { [key: string]: string | Messages }

export const sharedMessages: Record<Locale, Messages> = {
  'zh-CN': {
    app: { name: '智慧党建' },
    roles: {
      county_operator: '县级管理员',
      org_admin: '组织管理员',
      branch_secretary: '党支部书记',
      grid_leader: '网格长',
      grid_worker: '网格员',
      community_worker: '社区工作者',
      member: '党员',
      kiosk: '签到终端',
    },
    errors: {
      network: '无法连接服务器，请检查网络后重试',
      unknown: '操作失败，请稍后重试',
      status: {
        '400': '填写的内容有误，请检查',
        '401': '请先登录',
        '403': '没有权限进行此操作',
        '404': '内容不存在',
        '409': '与当前状态冲突，请刷新后重试',
        '423': '账号已锁定，请稍后再试或联系管理员',
        '429': '操作过于频繁，请稍后再试',
        '500': '服务器内部错误，请稍后重试',
        '502': '服务暂不可用，请稍后重试',
        '503': '服务暂不可用，请稍后重试',
        '504': '服务响应超时，请稍后重试',
      },
    },
  },
  en: {
    app: { name: 'Smart Party Building' },
    roles: {
      county_operator: 'County operator',
      org_admin: 'Organization admin',
      branch_secretary: 'Branch secretary',
      grid_leader: 'Grid leader',
      grid_worker: 'Grid worker',
      community_worker: 'Community worker',
      member: 'Party member',
      kiosk: 'Kiosk',
    },
    errors: {
      network: 'Cannot reach the server; check the network and try again',
      unknown: 'Something went wrong; try again shortly',
      status: {
        '400': 'Some fields are invalid',
        '401': 'Please sign in',
        '403': 'You may not do this',
        '404': 'Not found',
        '409': 'This conflicts with the current state; reload and try again',
        '423': 'The account is locked; try later or ask an administrator',
        '429': 'Too many attempts; try again later',
        '500': 'Internal error; try again shortly',
        '502': 'The service is unavailable; try again shortly',
        '503': 'The service is unavailable; try again shortly',
        '504': 'The service did not answer in time; try again shortly',
      },
    },
  },
}

function merge(base: Messages, extra: Messages): Messages {
  const out: Messages = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key]
    out[key] =
      typeof value === 'object' && typeof current === 'object' ? merge(current, value) : value
  }
  return out
}

export function savedLocale(): Locale {
  try {
    const saved = localStorage.getItem(LOCALE_KEY)
    if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale
  } catch {
    // storage unavailable: the default
  }
  return DEFAULT_LOCALE
}

export function saveLocale(locale: Locale): void {
  try {
    localStorage.setItem(LOCALE_KEY, locale)
  } catch {
    // not remembered; still switched for this page
  }
  document.documentElement.lang = locale
}

export function createPageI18n(pageMessages: Record<Locale, Messages>) {
  const locale = savedLocale()
  document.documentElement.lang = locale
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: DEFAULT_LOCALE,
    messages: {
      'zh-CN': merge(sharedMessages['zh-CN'], pageMessages['zh-CN']),
      en: merge(sharedMessages.en, pageMessages.en),
    },
  })
}

/** What to tell the person about a failed call: the server's own sentence when it sent one. */
export function errorMessage(error: unknown, t: (key: string) => string): string {
  if (error instanceof ApiProblem) {
    if (error.detail) return error.detail
    const key = `errors.status.${error.status}`
    const text = t(key)
    return text === key ? t('errors.unknown') : text
  }
  if (error instanceof NetworkError) return t('errors.network')
  return t('errors.unknown')
}
