/**
 * Every byte of text a run left behind, including what Playwright's HTML report hides
 * inside a base64 zip, so canary-secret tests grep what a person could actually open.
 */
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { allFiles } from './cli.ts';

/** Minimal zip reader (central directory + deflate/stored entries): enough for Playwright's report data. */
export function unzipEntries(buf: Buffer): { name: string; data: Buffer }[] {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const lNameLen = buf.readUInt16LE(local + 26);
    const lExtraLen = buf.readUInt16LE(local + 28);
    const start = local + 30 + lNameLen + lExtraLen;
    const raw = buf.subarray(start, start + size);
    out.push({ name, data: method === 8 ? inflateRawSync(raw) : raw });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

export function textOfRun(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const file of allFiles(dir)) {
    const buf = readFileSync(file);
    out.push({ file, text: buf.toString('latin1') });
    const m = /<template id="playwrightReportBase64">data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(buf.toString('latin1'));
    if (m?.[1]) {
      for (const e of unzipEntries(Buffer.from(m[1], 'base64'))) out.push({ file: `${file}!${e.name}`, text: e.data.toString('utf8') });
    }
    if (file.endsWith('.zip')) {
      for (const e of unzipEntries(buf)) out.push({ file: `${file}!${e.name}`, text: e.data.toString('latin1') });
    }
  }
  return out;
}
