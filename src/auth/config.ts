/** The auth module's slice of the configuration (`auth.user.option` + `auth.strategy.option`). */
export interface AuthModuleConfig {
  /** AES key of tokens: 16, 24 or 32 bytes. */
  salt: string;
  /** Check credentials on console (OpenAPI) operations. */
  consoleOpen: boolean;
  /** Console: refuse a missing or invalid token instead of treating the caller as anonymous. */
  consoleStrict: boolean;
  /** Check credentials on client (SDK) operations: register, deregister, discover. */
  clientOpen: boolean;
  clientStrict: boolean;
}

/** polaris-server's public default salt: every installation that kept it shares its token key. */
export const DEFAULT_PUBLIC_SALT = 'polarismesh@2021';

/** Why a salt is weak, or undefined when it is not. */
export function weakSaltReason(salt: string): string | undefined {
  if (salt === DEFAULT_PUBLIC_SALT) return 'it is polaris-server\'s public default salt';
  if (new Set(salt).size < 8) return 'it has fewer than 8 distinct characters';
  return undefined;
}
