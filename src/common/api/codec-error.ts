/**
 * The error every decoder/encoder of the wire codec throws. Its message is the detail polaris-server
 * (golang jsonpb / protobuf) would report; callers answer 400001 ParseException with
 * `request decode failed: <message>`.
 */
export class CodecError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodecError';
  }
}
