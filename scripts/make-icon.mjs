// Draws media/icon.png (128×128): a shield with a rising canary step line. Run once; the PNG is committed.
import fs from 'node:fs';
import zlib from 'node:zlib';

const size = 128;
const pixels = Buffer.alloc(size * size * 4);
const set = (x, y, [r, g, b, a]) => {
  const i = (y * size + x) * 4;
  pixels[i] = r;
  pixels[i + 1] = g;
  pixels[i + 2] = b;
  pixels[i + 3] = a;
};
const navy = [22, 38, 70, 255];
const green = [64, 200, 120, 255];
for (let y = 0; y < size; y++) {
  for (let x = 0; x < size; x++) {
    const cx = x - 63.5;
    // Shield: flat top half, tapering to a point at the bottom.
    const halfWidth = y < 64 ? 52 : 52 * Math.max(0, 1 - ((y - 64) / 58) ** 1.6);
    const inside = y >= 8 && y <= 122 && Math.abs(cx) <= halfWidth;
    set(x, y, inside ? navy : [0, 0, 0, 0]);
  }
}
// Step line: 5 → 25 → 50 → 100 %, as a staircase.
const steps = [
  [24, 84, 44],
  [44, 70, 64],
  [64, 54, 84],
  [84, 34, 104],
];
for (const [x0, y0, x1] of steps) {
  for (let x = x0; x <= x1; x++) for (let t = -4; t <= 4; t++) set(x, y0 + t, green);
}
for (let i = 0; i < steps.length - 1; i++) {
  const [, yA, xB] = steps[i];
  const [, yB] = steps[i + 1];
  for (let y = yB - 4; y <= yA + 4; y++) for (let t = -4; t <= 4; t++) set(xB + t, y, green);
}

const rows = Buffer.alloc((size * 4 + 1) * size);
for (let y = 0; y < size; y++) pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};
const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', zlib.deflateSync(rows)),
  chunk('IEND', Buffer.alloc(0)),
]);
fs.mkdirSync(new URL('../media/', import.meta.url), { recursive: true });
fs.writeFileSync(new URL('../media/icon.png', import.meta.url), png);
console.log(`media/icon.png: ${png.length} bytes`);
