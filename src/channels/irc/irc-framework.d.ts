/** The part of irc-framework (CommonJS, untyped) that the IRC channel uses. */
declare module "irc-framework" {
  import type { EventEmitter } from "node:events";

  export interface ConnectOptions {
    host: string;
    port: number;
    tls?: boolean;
    nick: string;
    username?: string;
    gecos?: string;
    password?: string;
    account?: { account: string; password: string };
    auto_reconnect?: boolean;
    ping_interval?: number;
    ping_timeout?: number;
    message_max_length?: number;
    encoding?: string;
    version?: string;
  }

  export class Client extends EventEmitter {
    constructor(options?: Partial<ConnectOptions>);
    connect(options?: Partial<ConnectOptions>): void;
    quit(message?: string): void;
    join(channel: string, key?: string): void;
    say(target: string, message: string): void;
    changeNick(nick: string): void;
    readonly connected: boolean;
    user: { nick: string };
  }
}
