/**
 * Default names for well-known authenticator models, by AAGUID, from the community-maintained
 * passkey AAGUID list (github.com/passkeydeveloper/passkey-authenticator-aaguids). A small table
 * on purpose: a name people recognise for the common ones, "Security key" for the rest, and the
 * user can rename any key.
 */
const KNOWN_AUTHENTICATORS: Readonly<Record<string, string>> = {
  'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4': 'Google Password Manager',
  'adce0002-35bc-c60a-648b-0b25f1f05503': 'Chrome on Mac',
  '08987058-cadc-4b81-b6e1-30de50dcbe96': 'Windows Hello',
  '9ddd1817-af5a-4672-a2b9-3e3dd95000a9': 'Windows Hello',
  '6028b017-b1d4-4c02-b4b3-afcdafc96bb2': 'Windows Hello',
  'dd4ec289-e01d-41c9-bb89-70fa845d4bf2': 'iCloud Keychain (Managed)',
  'fbfc3007-154e-4ecc-8c0b-6e020557d7bd': 'iCloud Keychain',
  'bada5566-a7aa-401f-bd96-45619a55120d': '1Password',
  'd548826e-79b4-db40-a3d8-11116f7e8349': 'Bitwarden',
  '531126d6-e717-415c-9320-3d9aa6981239': 'Dashlane',
  'b84e4048-15dc-4dd0-8640-f4f60813c8af': 'NordPass',
  '53414d53-554e-4700-0000-000000000000': 'Samsung Pass',
  'cb69481e-8ff7-4039-93ec-0a2729a154a8': 'YubiKey 5 Series',
  'ee882879-721c-4913-9775-3dfcce97072a': 'YubiKey 5 Series',
  'fa2b99dc-9e39-4257-8f92-4a30d23c4118': 'YubiKey 5 Series with NFC',
  '2fc0579f-8113-47ea-b116-bb5a8db9202a': 'YubiKey 5 Series with NFC',
  'c5ef55ff-ad9a-4b9f-b580-adebafe026d0': 'YubiKey 5Ci',
  'd8522d9f-575b-4866-88a9-ba99fa02f35b': 'YubiKey Bio Series',
  'a4e9fc6d-4cbe-4758-b8ba-37598bb5bbaa': 'Security Key NFC by Yubico',
  '149a2021-8ef6-4133-96b8-81f8d5b7f1f5': 'Security Key by Yubico',
  'b92c3f9a-c014-4056-887f-140a2501163b': 'Security Key by Yubico',
  '6d44ba9b-f6ec-2e49-b930-0c8fe920cb73': 'Security Key NFC by Yubico',
  'ee041bce-25e5-4cdb-8f86-897fd6418464': 'Feitian ePass FIDO2',
  '9c835346-796b-4c27-8898-d6032f515cc5': 'Cryptnox FIDO2',
};

const ALL_ZEROS = '00000000-0000-0000-0000-000000000000';

/** The model's name people know, when the AAGUID is one of the well-known ones; it stays after a rename. */
export function authenticatorModel(aaguid: string): string | null {
  return KNOWN_AUTHENTICATORS[aaguid.toLowerCase()] ?? null;
}

/** The name a new key gets: its model's when known, else a plain one by what it is. */
export function defaultCredentialName(aaguid: string, passkey: boolean): string {
  const known = authenticatorModel(aaguid);
  if (known) return known;
  if (aaguid === ALL_ZEROS && passkey) return 'Passkey';
  return passkey ? 'Passkey' : 'Security key';
}
