import { describe, expect, it } from "vitest";
import { WORKSPACE_TEMPLATES } from "../../workspace/templates.js";
import { classifyHeartbeatReply, isEffectivelyEmpty } from "./ack.js";
import { withinActiveHours } from "./active-hours.js";

describe("classifyHeartbeatReply", () => {
  it.each([
    ["HEARTBEAT_OK", "ack"],
    ["  HEARTBEAT_OK.  ", "ack"],
    ["HEARTBEAT_OK - all quiet", "ack"],
    ["Nothing new. HEARTBEAT_OK", "ack"],
    ["NO_REPLY", "ack"],
    ["", "ack"],
    ["The build failed.", "alert"],
    ["I checked and HEARTBEAT_OK is in the middle", "alert"],
  ])("%j is an %s", (text, kind) => {
    expect(classifyHeartbeatReply(text, 300).kind).toBe(kind);
  });

  it("a token with more than ackMaxChars of text is an alert, delivered without the token", () => {
    expect(classifyHeartbeatReply("HEARTBEAT_OK but the disk is 95% full", 10)).toEqual({
      kind: "alert",
      text: "but the disk is 95% full",
    });
  });
});

describe("isEffectivelyEmpty", () => {
  it.each([
    [undefined, true],
    ["", true],
    ["# Heartbeat\n\n## Tasks\n", true],
    ["<!-- add checks here -->\n- [ ]\n-\n", true],
    ["# Heartbeat\n- check mail", false],
    ["remind me to drink water", false],
    [WORKSPACE_TEMPLATES["HEARTBEAT.md"], true],
  ])("%j → %s", (text, empty) => {
    expect(isEffectivelyEmpty(text)).toBe(empty);
  });
});

describe("withinActiveHours", () => {
  const at = (iso: string) => new Date(iso);
  it.each([
    ["2026-01-05T09:00:00Z", { start: "08:00", end: "22:00", timezone: "UTC" }, true],
    ["2026-01-05T22:00:00Z", { start: "08:00", end: "22:00", timezone: "UTC" }, false],
    ["2026-01-05T07:59:00Z", { start: "08:00", end: "22:00", timezone: "UTC" }, false],
    ["2026-01-05T23:30:00Z", { start: "22:00", end: "06:00", timezone: "UTC" }, true],
    ["2026-01-05T05:00:00Z", { start: "22:00", end: "06:00", timezone: "UTC" }, true],
    ["2026-01-05T12:00:00Z", { start: "22:00", end: "06:00", timezone: "UTC" }, false],
    ["2026-01-05T07:30:00Z", { start: "08:00", end: "22:00", timezone: "Europe/Berlin" }, true],
    ["2026-01-05T12:00:00Z", { start: "00:00", end: "24:00", timezone: "UTC" }, true],
  ])("%s in %j → %s", (iso, window, inside) => {
    expect(withinActiveHours(at(iso), window)).toBe(inside);
  });
});
