import { h, type VNode } from 'vue'

// The navigation's icons, inline SVG (24×24, stroked with the text colour, so both themes are right):
// no icon package to add for nine glyphs.

const paths: Record<string, string[]> = {
  // A chip with a plus: put a device into service.
  '/provision': ['M7 4h10a3 3 0 0 1 3 3v10a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V7a3 3 0 0 1 3-3z', 'M12 8v8M8 12h8'],
  // A board with pins.
  '/things': ['M6 7h12v10H6z', 'M9 3v4M15 3v4M9 17v4M15 17v4M2 10h4M2 14h4M18 10h4M18 14h4'],
  // Folders.
  '/groups': ['M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z', 'M3 11h18'],
  // A shield.
  '/policies': ['M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6z', 'M9 12l2 2 4-4'],
  // A certificate with a seal.
  '/certificates': ['M4 5h16v10H4z', 'M8 9h8M8 12h4', 'M15 15l-1 5 2-1 2 1-1-5'],
  // Stacked layers: a type.
  '/thing-types': ['M12 3l9 5-9 5-9-5z', 'M3 13l9 5 9-5'],
  // Two overlapping documents: desired and reported.
  '/shadow': ['M8 4h9a2 2 0 0 1 2 2v11', 'M5 8h9a2 2 0 0 1 2 2v9a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V9a1 1 0 0 1 1-1z'],
  // Radio waves: messages.
  '/mqtt': ['M12 12h.01', 'M8.5 15.5a5 5 0 0 1 0-7M15.5 8.5a5 5 0 0 1 0 7', 'M5.6 18.4a9 9 0 0 1 0-12.8M18.4 5.6a9 9 0 0 1 0 12.8'],
  // A connector with pins and a cable: a serial port.
  '/serial': ['M5 6h14l-2 8H7z', 'M9 9h.01M12 9h.01M15 9h.01', 'M12 14v4a2 2 0 0 0 2 2h4'],
  // A plug.
  '/connections': ['M9 3v5M15 3v5', 'M6 8h12v3a6 6 0 0 1-12 0z', 'M12 17v4']
}

/** The icon for a navigation path (a dot where none was drawn). */
export function navigationIcon(path: string): VNode {
  return h(
    'svg',
    { viewBox: '0 0 24 24', width: '1em', height: '1em', fill: 'none', stroke: 'currentColor', 'stroke-width': 1.8, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true' },
    (paths[path] ?? ['M12 12h.01']).map((d) => h('path', { d }))
  )
}
