// Generates build/icon.png (512×512 RGBA) from the same shapes as build/icon.svg: a notebook with
// a clock. Node built-ins only (zlib for the PNG stream). Run: node build/make-icon.mjs
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

const SIZE = 512
const SAMPLES = 4 // 4×4 supersampling for anti-aliased edges

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16))
const COLORS = {
  cover: hex('#1f4e79'),
  paper: hex('#f4f1ea'),
  line: hex('#9db4c8'),
  ring: hex('#c9d3dd'),
  clock: hex('#e8833a'),
  face: hex('#ffffff'),
  hand: hex('#1f4e79')
}

// Signed distance functions: negative inside.
const roundedRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = (x0 + x1) / 2
  const cy = (y0 + y1) / 2
  const qx = Math.abs(x - cx) - ((x1 - x0) / 2 - r)
  const qy = Math.abs(y - cy) - ((y1 - y0) / 2 - r)
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r
}
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r
const segment = (ax, ay, bx, by, width) => (x, y) => {
  const px = x - ax
  const py = y - ay
  const dx = bx - ax
  const dy = by - ay
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - dx * t, py - dy * t) - width / 2
}

// Painted in order, each over the previous ones. Keep in step with icon.svg.
const layers = [
  [roundedRect(96, 64, 416, 448, 32), COLORS.cover],
  [roundedRect(136, 96, 392, 416, 16), COLORS.paper],
  ...[160, 208, 256, 304].map((y) => [segment(172, y, 356, y, 10), COLORS.line]),
  ...[128, 192, 256, 320, 384].map((y) => [roundedRect(72, y - 8, 120, y + 8, 8), COLORS.ring]),
  [circle(368, 376, 100), COLORS.clock],
  [circle(368, 376, 78), COLORS.face],
  [segment(368, 376, 368, 318, 14), COLORS.hand],
  [segment(368, 376, 406, 376, 14), COLORS.hand],
  [circle(368, 376, 10), COLORS.hand]
]

const rgba = Buffer.alloc(SIZE * SIZE * 4)
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    let r = 0
    let g = 0
    let b = 0
    let a = 0
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const x = px + (sx + 0.5) / SAMPLES
        const y = py + (sy + 0.5) / SAMPLES
        let color = null
        for (const [sdf, c] of layers) if (sdf(x, y) <= 0) color = c
        if (color) {
          r += color[0]
          g += color[1]
          b += color[2]
          a += 1
        }
      }
    }
    const i = (py * SIZE + px) * 4
    // Straight (non-premultiplied) alpha, as PNG expects.
    rgba[i] = a ? Math.round(r / a) : 0
    rgba[i + 1] = a ? Math.round(g / a) : 0
    rgba[i + 2] = a ? Math.round(b / a) : 0
    rgba[i + 3] = Math.round((a / (SAMPLES * SAMPLES)) * 255)
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buffer) {
  let c = 0xffffffff
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

const header = Buffer.alloc(13)
header.writeUInt32BE(SIZE, 0)
header.writeUInt32BE(SIZE, 4)
header[8] = 8 // bit depth
header[9] = 6 // colour type: RGBA
header[10] = 0 // compression
header[11] = 0 // filter method
header[12] = 0 // no interlace

const scanlines = Buffer.alloc(SIZE * (SIZE * 4 + 1))
for (let y = 0; y < SIZE; y++) {
  scanlines[y * (SIZE * 4 + 1)] = 0 // filter: none
  rgba.copy(scanlines, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4)
}

const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(scanlines, { level: 9 })),
  chunk('IEND', Buffer.alloc(0))
])
const out = join(dirname(fileURLToPath(import.meta.url)), 'icon.png')
writeFileSync(out, png)
console.log(`wrote ${out} (${png.length} bytes)`)
