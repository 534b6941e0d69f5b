import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { api } from './api'
import { apiPlugin } from './api/useApi'
import { createAppRouter } from './router'

createApp(App).use(apiPlugin(api)).use(createPinia()).use(createAppRouter()).mount('#app')
