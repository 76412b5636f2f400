/** Texts of the Dues pages (zh-CN first; en second). */
export const duesMessages = {
  'zh-CN': {
    dues: {
      menu: '党费管理',
    },
  },
  en: {
    dues: {
      menu: 'Dues',
    },
  },
}
