/**
 * The QR code as the server drew it (a PNG data URL), on a white tile in every theme: scanners
 * read dark modules on a light ground, and some fail on an inverted code.
 */
export function QrCode(props: { dataUrl: string; label: string }) {
  return (
    <div class="qr-tile">
      <img src={props.dataUrl} alt={props.label} width={200} height={200} />
    </div>
  );
}
