import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { ChannelHttpRoutes } from "./http-routes.js";

const req = (url: string) => ({ url, method: "POST" }) as IncomingMessage;
const res = {} as ServerResponse;

describe("ChannelHttpRoutes", () => {
  it("dispatches exact paths (query ignored) to their account, and nothing else", () => {
    const routes = new ChannelHttpRoutes();
    const hits: string[] = [];
    routes.mountFor("slack/default", "channels.slack.webhookPath").register("/slack/events", () => hits.push("a"));
    routes.mountFor("slack/work", "channels.slack.webhookPath").register("/slack/work", () => hits.push("b"));
    expect(routes.dispatch(req("/slack/events?x=1"), res)).toBe(true);
    expect(routes.dispatch(req("/slack/work"), res)).toBe(true);
    expect(routes.dispatch(req("/slack/events/more"), res)).toBe(false);
    expect(routes.dispatch(req("/"), res)).toBe(false);
    expect(hits).toEqual(["a", "b"]);
  });

  it("refuses a path another account serves, naming both and the key to change", () => {
    const routes = new ChannelHttpRoutes();
    routes.mountFor("slack/default", "channels.slack.webhookPath").register("/slack/events", () => {});
    expect(() =>
      routes.mountFor("slack/work", "channels.slack.webhookPath").register("/slack/events", () => {}),
    ).toThrow(/\/slack\/events on the gateway port is already served by slack\/default: give slack\/work its own/);
    expect(() => routes.mountFor("x/y", "channels.x.webhookPath").register("no-slash", () => {})).toThrow(
      /channels.x.webhookPath must start with "\/"/,
    );
  });

  it("frees a path on dispose and on release of its owner, never another owner's", () => {
    const routes = new ChannelHttpRoutes();
    const dispose = routes.mountFor("a/1", "k").register("/one", () => {});
    routes.mountFor("a/2", "k").register("/two", () => {});
    routes.mountFor("a/2", "k").register("/three", () => {});
    dispose();
    routes.release("a/2");
    expect(routes.paths()).toEqual([]);
    const again = routes.mountFor("a/1", "k").register("/one", () => {});
    routes.release("a/9");
    expect(routes.paths()).toEqual(["/one"]);
    again();
    expect(routes.paths()).toEqual([]);
  });
});
