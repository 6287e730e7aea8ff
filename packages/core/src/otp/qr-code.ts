import QRCode from 'qrcode';

// Level M (~15% recovery) survives a phone camera pointed at a screen while
// keeping the otpauth URI's QR version small; a 2-module quiet zone is enough
// on the plain background we draw it on.
const OPTIONS = { errorCorrectionLevel: 'M', margin: 2, width: 240 } as const;

/** A `data:image/png;base64,...` URL, ready for an `<img src>`. */
export function qrPngDataUrl(text: string): Promise<string> {
  return QRCode.toDataURL(text, { ...OPTIONS, type: 'image/png' });
}

/** An `<svg ...>` document as a string. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { ...OPTIONS, type: 'svg' });
}
