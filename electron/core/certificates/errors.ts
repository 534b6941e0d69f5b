/** A text that should be a PEM certificate is not one (or cannot be read). */
export class CertificateFormatError extends Error {
  override name = 'CertificateFormatError'
}

/** A text that should be a PEM private key is not one, or is a kind AWS IoT cannot use. */
export class KeyFormatError extends Error {
  override name = 'KeyFormatError'
}

/** A certificate bundle cannot be written as asked (files already there, mismatched key, bad names). */
export class CertificateBundleError extends Error {
  override name = 'CertificateBundleError'
}

/** A certificate file cannot be used: no certificate, or a private key that is not the certificate's own. */
export class CertificateFileError extends Error {
  override name = 'CertificateFileError'
  readonly errorName = 'InvalidCertificateFile'
}
