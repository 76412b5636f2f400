/** Texts of the Transfers pages (zh-CN first; en second). */
export const transferMessages = {
  'zh-CN': {
    transfers: {
      menu: '组织关系转接',
    },
  },
  en: {
    transfers: {
      menu: 'Transfers',
    },
  },
}
