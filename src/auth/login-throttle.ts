import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';

const FREE_FAILURES = 5;
const MAX_BLOCK_MS = 5 * 60_000;
const FORGET_AFTER_MS = 15 * 60_000;
const MAX_ENTRIES = 10_000;

interface Attempts {
  failures: number;
  blockedUntil: number;
  last: number;
}

/**
 * Slows down password guessing (polaris-server has no limit): after five failed logins for one
 * account from one address, each further attempt is refused for a doubling delay (1 s, 2 s, …,
 * at most 5 min) without checking the password. Keyed by account AND address, so an attacker
 * cannot lock the real owner out from elsewhere. A success clears the record; memory is bounded.
 */
export class LoginThrottle {
  private readonly attempts = new Map<string, Attempts>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Throws 429002 while the account is blocked for this address. */
  check(name: string, ip: string): void {
    const a = this.attempts.get(key(name, ip));
    if (a && a.blockedUntil > this.now()) {
      const wait = Math.ceil((a.blockedUntil - this.now()) / 1000);
      throw new PolarisError(Code.IPRateLimit, `too many failed logins; retry in ${wait} s`);
    }
  }

  failed(name: string, ip: string): void {
    const now = this.now();
    const k = key(name, ip);
    const a = this.attempts.get(k) ?? { failures: 0, blockedUntil: 0, last: now };
    if (now - a.last > FORGET_AFTER_MS) a.failures = 0;
    a.failures++;
    a.last = now;
    if (a.failures >= FREE_FAILURES) a.blockedUntil = now + Math.min(1000 * 2 ** (a.failures - FREE_FAILURES), MAX_BLOCK_MS);
    this.attempts.delete(k);
    this.attempts.set(k, a);
    if (this.attempts.size > MAX_ENTRIES) this.prune(now);
  }

  succeeded(name: string, ip: string): void {
    this.attempts.delete(key(name, ip));
  }

  private prune(now: number): void {
    for (const [k, a] of this.attempts) {
      if (now - a.last > FORGET_AFTER_MS || this.attempts.size > MAX_ENTRIES) this.attempts.delete(k);
      else break; // insertion order = last-attempt order
    }
  }
}

function key(name: string, ip: string): string {
  return `${name}\u0000${ip}`;
}
