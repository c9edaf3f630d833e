/**
 * NumPy `.npz` archives (`numpy.savez` / `savez_compressed`): a ZIP file
 * (PKWARE APPNOTE) whose members are `<key>.npy` files, stored or deflated.
 * The ZIP container and inflate are fflate's (a well-kept, dependency-free
 * library that also runs in browsers); each member is then read by `parseNpy`.
 * No `node:` imports here.
 */
import { unzipSync } from 'fflate';
import { fail } from '../model/errors.js';
import { parseNpy, type NpyArray } from './npy.js';

/** Parses a whole `.npz`; keys are the member names without `.npy`. `name` names the file in errors. */
export function parseNpz(buf: Uint8Array, name: string): Map<string, NpyArray> {
  const where = `parseNpz(${name})`;
  // A ZIP starts with a local file header (PK\x03\x04), or is an empty archive (PK\x05\x06).
  if (buf.length < 4 || buf[0] !== 0x50 || buf[1] !== 0x4b || !((buf[2] === 3 && buf[3] === 4) || (buf[2] === 5 && buf[3] === 6))) {
    fail('FILE_CORRUPT', where, 'a ZIP archive (magic PK\\x03\\x04)', Array.from(buf.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ') || 'empty file');
  }
  const sizes = new Map<string, number>();
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(buf, {
      filter: (f) => {
        if (f.compression !== 0 && f.compression !== 8) fail('FILE_CORRUPT', `${where}[${f.name}]`, 'a stored or deflated member', `compression method ${f.compression}`);
        sizes.set(f.name, f.originalSize);
        return true;
      },
    });
  } catch (e) {
    if ((e as Error).name === 'QuantError') throw e;
    return fail('FILE_CORRUPT', where, 'a readable ZIP archive', (e as Error).message);
  }
  const out = new Map<string, NpyArray>();
  for (const [member, bytes] of Object.entries(members)) {
    if (member.endsWith('/')) continue; // directory entries carry no array
    if (!member.endsWith('.npy')) fail('FILE_CORRUPT', `${where}[${member}]`, 'only .npy members', member);
    if (bytes.length !== sizes.get(member)) fail('FILE_CORRUPT', `${where}[${member}]`, `${sizes.get(member)} bytes (ZIP directory)`, `${bytes.length} bytes`);
    out.set(member.slice(0, -4), parseNpy(bytes, `${name}:${member}`));
  }
  return out;
}
