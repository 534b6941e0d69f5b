import { createRouter, createWebHashHistory, type RouteRecordRaw, type Router } from 'vue-router'

// Hash history: works from file:// in Electron and in the served page alike. Every view is
// loaded when first visited, keeping the initial bundle small.

export interface NavigationEntry {
  path: string
  label: string
  testId: string
}

export const navigation: NavigationEntry[] = [
  { path: '/provision', label: 'Provision', testId: 'nav-provision' },
  { path: '/things', label: 'Things', testId: 'nav-things' },
  { path: '/groups', label: 'Groups', testId: 'nav-groups' },
  { path: '/policies', label: 'Policies', testId: 'nav-policies' },
  { path: '/certificates', label: 'Certificates', testId: 'nav-certificates' },
  { path: '/thing-types', label: 'Thing types', testId: 'nav-thing-types' },
  { path: '/shadow', label: 'Shadows', testId: 'nav-shadows' },
  { path: '/mqtt', label: 'MQTT', testId: 'nav-mqtt' },
  { path: '/serial', label: 'Serial', testId: 'nav-serial' },
  { path: '/connections', label: 'Connections', testId: 'nav-connections' }
]

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/provision' },
  { path: '/provision', name: 'provision', component: () => import('./views/provision/ProvisionView.vue'), meta: { title: 'Provision' } },
  { path: '/things', name: 'things', component: () => import('./views/registry/ThingsView.vue'), meta: { title: 'Things' } },
  { path: '/groups', name: 'groups', component: () => import('./views/registry/GroupsView.vue'), meta: { title: 'Groups' } },
  { path: '/policies', name: 'policies', component: () => import('./views/registry/PoliciesView.vue'), meta: { title: 'Policies' } },
  { path: '/certificates', name: 'certificates', component: () => import('./views/registry/CertificatesView.vue'), meta: { title: 'Certificates' } },
  { path: '/thing-types', name: 'thing-types', component: () => import('./views/registry/ThingTypesView.vue'), meta: { title: 'Thing types' } },
  // `/shadow/<thingName>?name=<shadowName>` opens the inspector on that shadow; `/shadow` asks for a thing.
  { path: '/shadow/:thingName?', name: 'shadow', component: () => import('./views/shadow/ShadowView.vue'), meta: { title: 'Shadows' } },
  { path: '/mqtt', name: 'mqtt', component: () => import('./views/mqtt/MqttView.vue'), meta: { title: 'MQTT' } },
  { path: '/serial', name: 'serial', component: () => import('./views/serial/SerialView.vue'), meta: { title: 'Serial monitor' } },
  { path: '/connections', name: 'connections', component: () => import('./views/ConnectionsView.vue'), meta: { title: 'Connections' } },
  { path: '/:unknown(.*)*', redirect: '/provision' }
]

export function createAppRouter(history = createWebHashHistory()): Router {
  return createRouter({ history, routes })
}
