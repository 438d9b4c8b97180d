/** The slice of eureka-js-client (untyped CommonJS) the tests use. */
declare module 'eureka-js-client' {
  import { EventEmitter } from 'node:events';
  export class Eureka extends EventEmitter {
    constructor(config: unknown);
    start(cb?: (err?: Error | null) => void): void;
    stop(cb?: (err?: Error | null) => void): void;
    register(cb?: (err?: Error | null) => void): void;
    renew(): void;
    fetchRegistry(cb?: (err?: Error | null) => void): void;
    getInstancesByAppId(appId: string): Array<Record<string, any>>;
    getInstancesByVipAddress(vip: string): Array<Record<string, any>>;
    cache: { app: Record<string, Array<Record<string, any>>>; vip: Record<string, Array<Record<string, any>>> };
    hasFullRegistry: boolean;
  }
}
