/** Texts of the Leave requests pages (zh-CN first; en second). */
export const orgLifeMessages = {
  'zh-CN': {
    leave: {
      menu: '请假审批',
    },
  },
  en: {
    leave: {
      menu: 'Leave requests',
    },
  },
}
