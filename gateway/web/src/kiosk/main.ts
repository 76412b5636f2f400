import { createApp } from 'vue'

import { createPageI18n } from '@/shared/i18n'

import KioskApp from './KioskApp.vue'
import { kioskMessages } from './messages'
import './kiosk.css'

createApp(KioskApp).use(createPageI18n(kioskMessages)).mount('#app')
