import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CodecError, decodeJson, decodeJsonArray } from '../../common/api/codec.js';
import { Code } from '../../common/errors/codes.js';
import { PolarisError } from '../../common/errors/polaris-error.js';
import { MAX_BATCH_SIZE } from './options.js';

/**
 * Request bodies. Fastify's own JSON parser is replaced by one that keeps the raw text whatever
 * the content type (the 415 rule lives in router.ts), so a malformed body is answered with the
 * Polaris 400001 envelope of the route instead of fastify's error object.
 */
export function installBodyParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    done(null, body);
  });
  // Uploads (config import) stay binary: a Buffer body; JSON routes refuse this type with 415.
  app.addContentTypeParser(/^multipart\/form-data/i, { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    done(null, body);
  });
}

/** The raw body text ('' when none was sent). */
export function rawBody(req: FastifyRequest): string {
  return typeof req.body === 'string' ? req.body : '';
}

/** Parses the body as JSON; failures are 400001 `request decode failed: <reason>`. */
export function readJson(req: FastifyRequest): unknown {
  const text = rawBody(req);
  // Go's decoder reports an empty body as EOF; keep the same wording.
  if (text.trim() === '') throw new PolarisError(Code.ParseException, 'EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PolarisError(Code.ParseException, err instanceof Error ? err.message : String(err));
  }
}

function asParseError(err: unknown): unknown {
  if (err instanceof CodecError) return new PolarisError(Code.ParseException, err.message);
  return err;
}

/** Decodes a single-object body into a wire object of `typeName` (e.g. `v1.Instance`). */
export function decodeOne<T>(req: FastifyRequest, typeName: string): T {
  const value = readJson(req);
  try {
    return decodeJson(typeName, value) as T;
  } catch (err) {
    throw asParseError(err);
  }
}

/**
 * Decodes a batch body: a JSON array of 1..100 `typeName` objects. Every element is decoded first
 * (a bad element is 400001 whatever the length), then `[]` is 400002 EmptyRequest and more than 100
 * elements 400003 BatchSizeOverLimit.
 */
export function decodeBatch<T>(req: FastifyRequest, typeName: string): T[] {
  const value = readJson(req);
  if (!Array.isArray(value)) {
    throw new PolarisError(Code.ParseException, `a JSON array of ${typeName} is expected`);
  }
  let items: object[];
  try {
    items = decodeJsonArray(typeName, value);
  } catch (err) {
    throw asParseError(err);
  }
  if (items.length === 0) throw new PolarisError(Code.EmptyRequest);
  if (items.length > MAX_BATCH_SIZE) throw new PolarisError(Code.BatchSizeOverLimit);
  return items as T[];
}
