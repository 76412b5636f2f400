/// <reference types="vitest/config" />
// One Vite project, three pages (multi-page build): the console (index.html, Element Plus),
// the kiosk (kiosk.html, plain full-screen) and the phone pages (m.html, Vant). Element Plus and
// Vant components are imported on demand by unplugin-vue-components; the gateway serves dist/
// (gateway/static.py). The manifest (dist/.vite/manifest.json) feeds bench/web_budget.py.
import { fileURLToPath, URL } from 'node:url'

import { VantResolver } from '@vant/auto-import-resolver'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import Components from 'unplugin-vue-components/vite'
import { defineConfig, type Plugin } from 'vite'

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url))

// Vant's icon font names a copy on a CDN after its inline woff2 ("url(//at.alicdn.com/...)"):
// the pages load nothing from elsewhere (CSP font-src 'self' data:), so that source is dropped
// and the inline font is the only one.
const REMOTE_FONT_SOURCE = /,\s*url\((?:https?:)?\/\/[^)]*\)\s*format\([^)]*\)/g
const noRemoteFonts: Plugin = {
  name: 'dangjian:no-remote-fonts',
  enforce: 'pre',
  transform(code, id) {
    if (!id.includes('node_modules') || !/\.css($|\?)/.test(id)) return null
    if (!code.includes('@font-face')) return null
    return { code: code.replace(REMOTE_FONT_SOURCE, ''), map: null }
  },
}

export default defineConfig({
  plugins: [
    noRemoteFonts,
    vue(),
    // ElMessage / showToast and friends, with their styles, when a file uses them
    AutoImport({
      resolvers: [ElementPlusResolver(), VantResolver()],
      dts: 'src/types/auto-imports.d.ts',
    }),
    // <el-button> / <van-button> in templates: the component and its style, nothing else
    Components({
      resolvers: [ElementPlusResolver(), VantResolver()],
      dirs: [],
      dts: 'src/types/components.d.ts',
    }),
  ],
  define: {
    // vue-i18n: Composition API only (no legacy API in the bundle), no devtools in production
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    manifest: true,
    // the console's home page chunk carries ECharts (bar chart only) and is loaded lazily
    chunkSizeWarningLimit: 600,
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        index: page('index.html'),
        kiosk: page('kiosk.html'),
        m: page('m.html'),
      },
    },
  },
  server: {
    // `npm run dev` against a gateway started by `make run`
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
    // ElMessage arrives with its CSS (auto-import): let Vite, not Node, load Element Plus
    server: { deps: { inline: ['element-plus'] } },
  },
})
