// Loaded on the first enrollment, not at start.
type QrCode = typeof import('qrcode');
let loaded: Promise<QrCode> | undefined;
async function qrcode(): Promise<QrCode> {
  // A CommonJS module: its exports are the default export of the import.
  loaded ??= import('qrcode').then((module) => (module as { default?: QrCode }).default ?? module);
  return loaded;
}

// Level M (~15% recovery) survives a phone camera pointed at a screen while
// keeping the otpauth URI's QR version small; a 2-module quiet zone is enough
// on the plain background we draw it on.
const OPTIONS = { errorCorrectionLevel: 'M', margin: 2, width: 240 } as const;

/** A `data:image/png;base64,...` URL, ready for an `<img src>`. */
export async function qrPngDataUrl(text: string): Promise<string> {
  return (await qrcode()).toDataURL(text, { ...OPTIONS, type: 'image/png' });
}

/** An `<svg ...>` document as a string. */
export async function qrSvg(text: string): Promise<string> {
  return (await qrcode()).toString(text, { ...OPTIONS, type: 'svg' });
}
