/** Texts of the Mobile members pages (zh-CN first; en second). */
export const mobileMessages = {
  'zh-CN': {
    mobile: {
      menu: '流动党员',
    },
  },
  en: {
    mobile: {
      menu: 'Mobile members',
    },
  },
}
