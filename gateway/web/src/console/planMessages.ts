/** Texts of the Meeting plan pages (zh-CN first; en second). */
export const planMessages = {
  'zh-CN': {
    plans: {
      menu: '组织生活计划',
    },
  },
  en: {
    plans: {
      menu: 'Meeting plan',
    },
  },
}
