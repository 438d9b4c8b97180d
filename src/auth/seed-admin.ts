import { Code } from '../common/errors/codes.js';
import { PolarisError } from '../common/errors/polaris-error.js';
import { randomBytes } from 'node:crypto';
import { UserType, RESOURCE_TYPES, type Strategy, type User } from '../common/model/auth.js';
import type { AuthStore } from '../store/auth-api.js';
import { hashPassword } from './password.js';
import { createToken, decodeToken } from './token.js';

/** polaris-server's built-in main account: same id and name, so its tools and console keep working. */
export const ADMIN_USER_ID = '65e4789a6d5b49669adf1e9e8387549c';
export const ADMIN_USER_NAME = 'polaris';
export const ADMIN_STRATEGY_ID = 'fbca9bfa04ae4ead86e1ecf5811e32a9';

export interface AdminSeedOptions {
  salt: string;
  /** From configuration / environment; generated when absent. */
  password?: string;
  /** From configuration / environment (e.g. the token a migrated installation's console uses); generated when absent. */
  token?: string;
}

export interface AdminSeedResult {
  /** False when the account already existed (nothing was changed). */
  created: boolean;
  /** Set when the password was generated here: the only time it is known in clear. */
  generatedPassword?: string;
  /** Set when the token was generated here. */
  generatedToken?: string;
}

/**
 * Creates the main account `polaris` and its default strategy (every resource of every type) on
 * the first start. Its password and token are never public constants: they come from the options
 * or are generated. A configured token must be one made for this account with this salt (as
 * polaris-server's well-known token is for its default salt), or start-up fails.
 */
export async function seedAdmin(store: AuthStore, opts: AdminSeedOptions): Promise<AdminSeedResult> {
  if (opts.token !== undefined) {
    const subject = decodeToken(opts.token, opts.salt);
    if (!subject || subject.kind !== 'user' || subject.id !== ADMIN_USER_ID) {
      throw new Error(
        `the configured admin token is not a token of user ${ADMIN_USER_NAME} (${ADMIN_USER_ID}) under the configured salt`,
      );
    }
  }
  if (opts.password !== undefined && opts.password === '') throw new Error('the configured admin password is empty');
  if ((await store.getUser(ADMIN_USER_ID)) || (await store.getUserByName('', ADMIN_USER_NAME))) return { created: false };

  const generatedPassword = opts.password === undefined ? randomBytes(12).toString('base64url') : undefined;
  const generatedToken = opts.token === undefined ? createToken({ kind: 'user', id: ADMIN_USER_ID }, opts.salt) : undefined;
  const now = Date.now();
  const user: User = {
    id: ADMIN_USER_ID,
    name: ADMIN_USER_NAME,
    password: await hashPassword(opts.password ?? generatedPassword ?? ''),
    owner: '',
    source: 'Polaris',
    token: opts.token ?? generatedToken ?? '',
    tokenEnable: true,
    type: UserType.Main,
    comment: 'default main account',
    mobile: '',
    email: '',
    metadata: {},
    ctime: now,
    mtime: now,
  };
  const strategy: Strategy = {
    id: ADMIN_STRATEGY_ID,
    name: `(用户) ${ADMIN_USER_NAME}的默认策略`,
    action: 'READ_WRITE',
    comment: 'default strategy of the main account',
    owner: ADMIN_USER_ID,
    defaultStrategy: true,
    source: 'Polaris',
    metadata: {},
    functions: [],
    resourceLabels: [],
    principals: [{ type: 'user', id: ADMIN_USER_ID }],
    resources: RESOURCE_TYPES.map((type) => ({ type, id: '*', namespace: '*', name: '*' })),
    ctime: now,
    mtime: now,
  };
  try {
    await store.transaction(async (tx) => {
      await tx.createUser(user);
      if (!(await tx.getStrategy(ADMIN_STRATEGY_ID))) await tx.createStrategy(strategy);
    });
  } catch (err) {
    // Another node seeded it between our look-up and our insert (start lock off): theirs stands.
    if (err instanceof PolarisError && err.code === Code.ExistedResource) return { created: false };
    throw err;
  }
  return { created: true, generatedPassword, generatedToken };
}
