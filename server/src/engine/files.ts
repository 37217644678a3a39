/** Turning file bytes into lintable text, or one clear reason why not. */

/** Larger files are reported, not linted: nobody writes a 10 MB migration by hand. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export type Decoded = { ok: true; text: string } | { ok: false; reason: string };

/** Why a file of `size` bytes is not checked (over MAX_FILE_BYTES). */
export function tooLargeReason(size: number): string {
  return `File is ${(size / 1024 / 1024).toFixed(1)} MB, over the ${MAX_FILE_BYTES / 1024 / 1024} MB limit; it was not checked.`;
}

export function decodeFile(bytes: Uint8Array): Decoded {
  if (bytes.length > MAX_FILE_BYTES) return { ok: false, reason: tooLargeReason(bytes.length) };
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) return { ok: false, reason: 'File looks binary (it contains NUL bytes); it was not checked.' };
  try {
    let text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { ok: true, text };
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { ok: false, reason: `File is not valid UTF-8 (first bad byte at offset ${at}); it was not checked. Re-save it as UTF-8.` };
  }
}

/** Offset of the first byte that breaks UTF-8 encoding rules. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const size = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (size === 0) return i;
    for (let k = 1; k < size; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += size;
  }
  return bytes.length;
}
