/**
 * A minimal multipart/form-data reader (RFC 7578) for the config import upload: finds one file
 * field in an already buffered body. Enough for browsers, curl and Go clients; no streaming.
 */

export interface FormFile {
  filename: string;
  data: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function param(header: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i');
  const m = re.exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

/** The part named `field` that carries a filename, or undefined. Throws on a malformed body. */
export function formFile(body: Buffer, boundary: string, field: string): FormFile | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new Error('multipart: no boundary in the body');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return undefined; // closing delimiter
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new Error('multipart: truncated part headers');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), dataStart);
    if (next < 0) throw new Error('multipart: missing closing boundary');
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    if (param(disposition, 'name') === field) {
      const filename = param(disposition, 'filename');
      if (filename !== undefined) return { filename, data: body.subarray(dataStart, next) };
    }
    pos = next + 2;
  }
}
