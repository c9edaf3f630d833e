/**
 * Image files → the u8 pixels a model takes (HWC, its input shape), for the
 * command-line and the browser client alike (no `node:` imports).
 *
 * Formats, recognised by their first bytes:
 * - PNG (any color type and bit depth, via fast-png, a well-kept pure-JS
 *   decoder that also runs in browsers) and PGM (Netpbm P2 ASCII and P5
 *   binary, maxval up to 65535): one image each;
 * - the files datasets come in, parsed by `@qhe/quant/formats` (the same
 *   parsers training uses): MNIST idx (u8, [n, H, W], [H, W] or [n, H, W, C])
 *   and MedMNIST .npz (every split present, in the order train, val, test,
 *   with its labels): many images each, named file#i.
 *
 * To the model's shape:
 *   1. samples to 8 bits (v·255/maxval, rounded; 16-bit PNG: v >> 8 with rounding);
 *   2. alpha composited over black (MNIST digits are light on black);
 *   3. channels: to gray by ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B),
 *      or gray replicated to RGB;
 *   4. size: area-weighted resampling (each output pixel the mean of the input
 *      area it covers, fractional at the edges) when H×W differ — the reduction
 *      that keeps stroke intensity when a large scan becomes 28×28.
 * Every conversion applied is listed in `notes`, so a caller can say what it did.
 */
import { convertIndexedToRgb, decode as decodePngData, hasPngSignature } from 'fast-png';
import { MEDMNIST_SPLITS, parseIdx, parseMedMnist } from '@qhe/quant/formats';
import { ServiceError } from './errors.js';

export interface DecodedImage {
  readonly name: string;
  /** The label the file stores with the image (MedMNIST .npz), if any. */
  readonly label?: number;
  /** H·W·C values in [0, 255], HWC order, at the target shape. */
  readonly pixels: Uint8Array;
  /** What was done to reach the target shape (empty: used as is). */
  readonly notes: readonly string[];
}

/** A raster before conversion: 8-bit samples, `channels` per pixel (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
interface Raster {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

function bad(name: string, expected: string, got: string): never {
  throw new ServiceError('BAD_REQUEST', `decodeImage(${name}): expected ${expected}, got ${got}`);
}

/**
 * Decodes an image file (one image: PNG, PGM) or a dataset file (many: idx,
 * .npz) and converts every image to `shape` = [H, W, C] (C = 1 or 3); `limit`
 * keeps the first images of a dataset file.
 */
export function decodeImages(name: string, bytes: Uint8Array, shape: readonly [number, number, number], limit = Infinity): DecodedImage[] {
  const [H, W, C] = shape;
  if (C !== 1 && C !== 3) bad(name, 'a model input with 1 or 3 channels', `${C}`);
  if (hasPngSignature(bytes)) return [toShape(name, decodePngRaster(name, bytes), H, W, C)];
  if (bytes[0] === 0x50 && (bytes[1] === 0x32 || bytes[1] === 0x35)) return [toShape(name, decodePgm(name, bytes), H, W, C)];
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0x08) return fromRasters(name, idxRasters(name, bytes, limit), H, W, C);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return fromRasters(name, npzRasters(name, bytes, limit), H, W, C);
  return bad(name, 'a PNG or PGM image, an MNIST idx file or a MedMNIST .npz', bytes.length < 4 ? `${bytes.length} bytes` : `a file starting with bytes ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')}`);
}

/** One image file (PNG, PGM; or a dataset file holding exactly one image). */
export function decodeImage(name: string, bytes: Uint8Array, shape: readonly [number, number, number]): DecodedImage {
  const all = decodeImages(name, bytes, shape, 2);
  if (all.length !== 1) bad(name, 'one image', `a dataset file with several (use decodeImages)`);
  return all[0];
}

function fromRasters(name: string, rasters: readonly { raster: Raster; label?: number }[], H: number, W: number, C: number): DecodedImage[] {
  if (rasters.length === 0) bad(name, 'at least one image', 'none');
  return rasters.map((r, i) => {
    const d = toShape(`${name}#${i}`, r.raster, H, W, C);
    return r.label === undefined ? d : { ...d, label: r.label };
  });
}

/** The parsers of @qhe/quant throw QuantError; the client reports them as bad input. */
function parsing<T>(name: string, what: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    return bad(name, what, (e as Error).message);
  }
}

function idxRasters(name: string, bytes: Uint8Array, limit: number): { raster: Raster }[] {
  const a = parsing(name, 'a valid idx file', () => parseIdx(bytes, name));
  const d = a.dims;
  const [n, h, w, c] = d.length === 2 ? [1, d[0], d[1], 1] : d.length === 3 ? [d[0], d[1], d[2], 1] : d.length === 4 ? d : bad(name, 'idx images [n, H, W], [H, W] or [n, H, W, C]', `dims [${d.join(',')}]`);
  const size = h * w * c;
  return Array.from({ length: Math.min(n, limit) }, (_, i) => ({ raster: { width: w, height: h, channels: c, data: a.data.subarray(i * size, (i + 1) * size) } }));
}

function npzRasters(name: string, bytes: Uint8Array, limit: number): { raster: Raster; label: number }[] {
  const m = parsing(name, 'a MedMNIST .npz file', () => parseMedMnist(bytes, name));
  const out: { raster: Raster; label: number }[] = [];
  for (const s of MEDMNIST_SPLITS) {
    const split = m[s];
    if (!split) continue;
    const [h, w, c] = split.shape;
    const size = h * w * c;
    for (let i = 0; i < split.count && out.length < limit; i++)
      out.push({ raster: { width: w, height: h, channels: c, data: split.images.subarray(i * size, (i + 1) * size) }, label: split.labels[i] });
  }
  return out;
}

function decodePngRaster(name: string, bytes: Uint8Array): Raster {
  let png;
  try {
    png = decodePngData(bytes);
  } catch (e) {
    return bad(name, 'a well-formed PNG', `a decoding error (${(e as Error).message})`);
  }
  let data = png.data;
  let channels = png.channels;
  if (png.palette) {
    data = convertIndexedToRgb(png);
    channels = data.length / (png.width * png.height);
  }
  const out = new Uint8Array(png.width * png.height * channels);
  if (data instanceof Uint16Array) for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.round(data[i] / 257));
  else if (png.depth < 8 && !png.palette) {
    const max = 2 ** png.depth - 1;
    for (let i = 0; i < out.length; i++) out[i] = Math.round((data[i] * 255) / max);
  } else out.set(data.subarray(0, out.length));
  return { width: png.width, height: png.height, channels, data: out };
}

/** Netpbm PGM: "P2" or "P5", whitespace/comment-separated width, height, maxval, then samples. */
function decodePgm(name: string, bytes: Uint8Array): Raster {
  const binary = bytes[1] === 0x35;
  let pos = 2;
  const token = (): number => {
    for (;;) {
      while (pos < bytes.length && /\s/.test(String.fromCharCode(bytes[pos]))) pos++;
      if (bytes[pos] === 0x23) while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
      else break;
    }
    const start = pos;
    while (pos < bytes.length && bytes[pos] >= 0x30 && bytes[pos] <= 0x39) pos++;
    if (pos === start) bad(name, 'a decimal number in the PGM header', `a byte 0x${(bytes[pos] ?? 0).toString(16)} at offset ${pos}`);
    return Number(new TextDecoder().decode(bytes.subarray(start, pos)));
  };
  const width = token(), height = token(), maxval = token();
  if (width < 1 || height < 1 || width * height > 1 << 26) bad(name, 'a PGM size with 1..2^26 pixels', `${width}×${height}`);
  if (maxval < 1 || maxval > 65535) bad(name, 'a PGM maxval in [1, 65535]', String(maxval));
  const count = width * height;
  const data = new Uint8Array(count);
  const scale = (v: number): number => {
    if (v > maxval) bad(name, `samples ≤ maxval ${maxval}`, String(v));
    return Math.round((v * 255) / maxval);
  };
  if (binary) {
    pos++; // exactly one whitespace byte after maxval
    const wide = maxval > 255;
    const need = count * (wide ? 2 : 1);
    if (bytes.length - pos < need) bad(name, `${need} bytes of P5 samples`, `${bytes.length - pos}`);
    for (let i = 0; i < count; i++) data[i] = scale(wide ? (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1] : bytes[pos + i]);
  } else {
    for (let i = 0; i < count; i++) data[i] = scale(token());
  }
  return { width, height, channels: 1, data };
}

function toShape(name: string, r: Raster, H: number, W: number, C: number): DecodedImage {
  const notes: string[] = [];
  const n = r.width * r.height;
  // Steps 2–3: alpha over black, then to C channels.
  const hasAlpha = r.channels === 2 || r.channels === 4;
  const color = r.channels >= 3;
  if (hasAlpha) notes.push('alpha composited over black');
  if (color && C === 1) notes.push('RGB to gray (BT.601 luma)');
  if (!color && C === 3) notes.push('gray replicated to RGB');
  const plane = new Float64Array(n * C);
  for (let p = 0; p < n; p++) {
    const s = r.data.subarray(p * r.channels, (p + 1) * r.channels);
    const a = hasAlpha ? s[r.channels - 1] / 255 : 1;
    if (color) {
      const [R, G, B] = [s[0] * a, s[1] * a, s[2] * a];
      if (C === 1) plane[p] = 0.299 * R + 0.587 * G + 0.114 * B;
      else plane.set([R, G, B], 3 * p);
    } else {
      const v = s[0] * a;
      if (C === 1) plane[p] = v;
      else plane.set([v, v, v], 3 * p);
    }
  }
  // Step 4: area-weighted resampling.
  let out: Float64Array = plane;
  if (r.width !== W || r.height !== H) {
    notes.push(`resized ${r.width}×${r.height} → ${W}×${H} (area average)`);
    out = resampleArea(plane, r.width, r.height, W, H, C);
  }
  const pixels = new Uint8Array(H * W * C);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.max(0, Math.min(255, Math.round(out[i])));
  return { name, pixels, notes };
}

/** Each output pixel = mean of the source area [x·sw/W, (x+1)·sw/W) × [y·sh/H, …), fractional coverage at the edges. */
function resampleArea(src: Float64Array, sw: number, sh: number, W: number, H: number, C: number): Float64Array {
  const out = new Float64Array(W * H * C);
  const fx = sw / W, fy = sh / H;
  for (let y = 0; y < H; y++) {
    const y0 = y * fy, y1 = (y + 1) * fy;
    for (let x = 0; x < W; x++) {
      const x0 = x * fx, x1 = (x + 1) * fx;
      let area = 0;
      const acc = new Float64Array(C);
      for (let sy = Math.floor(y0); sy < Math.min(sh, Math.ceil(y1)); sy++) {
        const wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
        for (let sx = Math.floor(x0); sx < Math.min(sw, Math.ceil(x1)); sx++) {
          const w = wy * (Math.min(x1, sx + 1) - Math.max(x0, sx));
          area += w;
          for (let c = 0; c < C; c++) acc[c] += w * src[(sy * sw + sx) * C + c];
        }
      }
      for (let c = 0; c < C; c++) out[(y * W + x) * C + c] = acc[c] / area;
    }
  }
  return out;
}
