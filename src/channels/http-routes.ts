import type { IncomingMessage, ServerResponse } from "node:http";
import { PincerError } from "../errors.js";
import type { ChannelHttpHandler, ChannelHttpMount } from "./plugin.js";

/**
 * The paths channel accounts serve on the gateway's own port (Slack's Events API, Telegram's webhook). One
 * table, exact paths, one owner per path: two accounts asking for the same path is a config mistake, reported
 * to the second one instead of silently splitting traffic.
 */
export class ChannelHttpRoutes {
  private readonly routes = new Map<string, { owner: string; handler: ChannelHttpHandler }>();

  /** The mount handed to one account; `owner` ("slack/default") names it in conflicts and release. */
  mountFor(owner: string, configKey: string): ChannelHttpMount {
    return {
      register: (path, handler) => {
        if (!path.startsWith("/")) {
          throw new PincerError("CONFIG_INVALID", `${configKey} must start with "/" (got "${path}")`);
        }
        const taken = this.routes.get(path);
        if (taken && taken.owner !== owner) {
          // A config mistake another attempt cannot fix, so the account stops (isFatal) instead of retrying.
          throw new PincerError(
            "CONFIG_INVALID",
            `${path} on the gateway port is already served by ${taken.owner}: give ${owner} its own ${configKey}`,
          );
        }
        const entry = { owner, handler };
        this.routes.set(path, entry);
        return () => {
          if (this.routes.get(path) === entry) this.routes.delete(path);
        };
      },
    };
  }

  /** Drops whatever an account still has mounted (it stopped or crashed without disposing). */
  release(owner: string): void {
    for (const [path, entry] of this.routes) if (entry.owner === owner) this.routes.delete(path);
  }

  /** Answers the request when a channel serves its path; false lets the gateway route it elsewhere. */
  dispatch(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.routes.size === 0) return false;
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const entry = this.routes.get(path);
    if (!entry) return false;
    entry.handler(req, res);
    return true;
  }

  paths(): string[] {
    return [...this.routes.keys()];
  }
}
