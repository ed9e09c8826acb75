/**
 * The self-signed certificate for the HTTPS listener, made fresh at start-up so no key ever
 * sits in the repository. Its lifetime is configurable so certificate-expiry reporting can be
 * tested against a certificate that expires soon, or has already expired.
 */
import { generate } from 'selfsigned';

export interface TlsMaterial {
  key: string;
  cert: string;
  notBefore: Date;
  notAfter: Date;
}

const DAY_MS = 86_400_000;

export async function makeSelfSignedCert(certDays: number): Promise<TlsMaterial> {
  if (!Number.isFinite(certDays)) throw new Error(`Demo portal option certDays must be a number, got ${String(certDays)}.`);
  const now = Date.now();
  const notAfter = new Date(now + certDays * DAY_MS);
  // An already-expired certificate still needs notBefore < notAfter to be a valid certificate.
  const notBefore = certDays > 0 ? new Date(now - 60_000) : new Date(notAfter.getTime() - 30 * DAY_MS);
  // EC keys: a P-256 key is made in milliseconds where RSA-2048 takes a noticeable while per start.
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert, notBefore, notAfter };
}
