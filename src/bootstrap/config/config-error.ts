/**
 * A configuration file that cannot be used: unreadable, not YAML, or a key with a wrong type or an
 * invalid value. The message names the file and, for key errors, the exact key path, for example
 * `conf/polaris-server.yaml: apiservers[1].option.listenPort: expected an integer, got "abc" (line 40)`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly file: string,
    readonly keyPath: string | undefined,
    readonly detail: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(
      `${file}: ${keyPath ? `${keyPath}: ` : ''}${detail}${line !== undefined ? ` (line ${line})` : ''}`,
      options,
    );
  }
}
