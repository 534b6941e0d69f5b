import { Menu, shell, type MenuItemConstructorOptions } from 'electron'

const awsIotGuide = 'https://docs.aws.amazon.com/iot/latest/developerguide/what-is-aws-iot.html'
const provisioningGuide = 'https://docs.aws.amazon.com/iot/latest/developerguide/iot-provision.html'

/** The standard application menus (Edit for copy/paste in fields, View, Window) and Help links. */
export function installAppMenu(platform: NodeJS.Platform = process.platform): void {
  const template: MenuItemConstructorOptions[] = [
    ...(platform === 'darwin' ? [{ role: 'appMenu' } as const] : [{ role: 'fileMenu' } as const]),
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'AWS IoT Core Developer Guide', click: () => void shell.openExternal(awsIotGuide) },
        { label: 'Provisioning Devices in AWS IoT', click: () => void shell.openExternal(provisioningGuide) }
      ]
    }
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
