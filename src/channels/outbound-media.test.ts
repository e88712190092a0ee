import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { checkOutboundMedia, extractMediaLines, isInsideStateDir, mediaFromRef } from "./outbound-media.js";

describe("extractMediaLines", () => {
  it.each([
    ["Here it is.\n\nMEDIA:/tmp/a.png", "Here it is.", ["/tmp/a.png"]],
    ["MEDIA: https://x.test/v.mp4\ntext after", "text after", ["https://x.test/v.mp4"]],
    ['   MEDIA:"https://x.test/a b,.png"', "", ["https://x.test/a b,.png"]],
    ["a\nMEDIA:/one.png\nMEDIA:/two.pdf\nb", "a\nb", ["/one.png", "/two.pdf"]],
  ])("takes standalone lines out of %j", (input, text, media) => {
    expect(extractMediaLines(input)).toEqual({ text, media });
  });

  it.each([
    "**MEDIA:/tmp/a.png**",
    "`MEDIA:/tmp/a.png`",
    "Here is your image: MEDIA:/tmp/a.png",
    "    MEDIA:/tmp/indented-code.png",
    "```\nMEDIA:/tmp/in-fence.png\n```",
    "~~~~\n```\nMEDIA:/tmp/nested.png\n```\n~~~~",
  ])("leaves %j as text", (input) => {
    expect(extractMediaLines(input)).toEqual({ text: input, media: [] });
  });
});

describe("mediaFromRef", () => {
  it.each([
    ["/tmp/cat.PNG", "image", "cat.PNG"],
    ["https://x.test/path/song.mp3?sig=1", "audio", "song.mp3"],
    ["/srv/clip.webm", "video", "clip.webm"],
    ["/srv/report.pdf", "document", "report.pdf"],
    ["/srv/noext", "document", "noext"],
  ])("%s is a %s named %s", (ref, kind, fileName) => {
    expect(mediaFromRef(ref, "cap")).toEqual({ kind, fileName, source: ref, caption: "cap" });
  });
});

describe("checkOutboundMedia", () => {
  const dir = mkdtempSync(join(tmpdir(), "pincer-media-"));
  const small = join(dir, "small.png");
  writeFileSync(small, Buffer.alloc(100, 1));
  const limit = { maxBytes: 1000, platform: "Discord", configKey: "channels.discord.mediaMaxMb" };

  it("passes an https URL through and sizes a local file (file:// too)", async () => {
    const url = mediaFromRef("https://cdn.test/a.png");
    await expect(checkOutboundMedia(url, limit)).resolves.toEqual(url);
    await expect(checkOutboundMedia(mediaFromRef(small), limit)).resolves.toMatchObject({
      source: small,
      sizeBytes: 100,
      fileName: "small.png",
    });
    const viaUrl = await checkOutboundMedia(mediaFromRef(pathToFileURL(small).href), limit);
    expect(viaUrl.source).toBe(small);
  });

  it.each([
    ["http://cdn.test/a.png", "INVALID_REQUEST", /unsupported scheme "http:"/],
    ["ftp://cdn.test/a.png", "INVALID_REQUEST", /unsupported scheme "ftp:"/],
    ["data:image/png;base64,AAAA", "INVALID_REQUEST", /unsupported scheme "data:"/],
    ["relative/a.png", "INVALID_REQUEST", /must be absolute/],
    ["/definitely/not/here.png", "NOT_FOUND", /attachment file not found: \/definitely\/not\/here.png/],
    ["https://", "INVALID_REQUEST", /not a valid URL/],
  ])("refuses %s with %s", async (ref, code, message) => {
    const err = await checkOutboundMedia(mediaFromRef(ref), limit).catch((e: unknown) => e);
    expect(err).toMatchObject({ code });
    expect((err as Error).message).toMatch(message);
  });

  it("refuses a directory and a file over the platform's limit, naming the config key", async () => {
    await expect(checkOutboundMedia(mediaFromRef(dir), limit)).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringMatching(/is not a regular file/),
    });
    const big = join(dir, "big.bin");
    writeFileSync(big, Buffer.alloc(5000));
    await expect(checkOutboundMedia(mediaFromRef(big), limit)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: "attachment big.bin is 0.0 MB; Discord takes at most 0.0 MB (channels.discord.mediaMaxMb)",
      details: { sizeBytes: 5000, maxBytes: 1000 },
    });
  });
});

describe("state folder protection", () => {
  it.each([
    ["/home/u/.pincer/pincer.json", true],
    ["/home/u/.pincer/credentials/telegram-pairing.json", true],
    ["/home/u/.pincer/agents/main/sessions/x.jsonl", true],
    ["/home/u/.pincer/workspace/chart.png", false],
    ["/home/u/.pincer/workspace-ops/report.pdf", false],
    ["/home/u/.pincer-other/file.txt", false],
    ["/tmp/file.txt", false],
  ])("%s is protected: %s", (path, inside) => {
    expect(isInsideStateDir(path, "/home/u/.pincer")).toBe(inside);
  });

  it("refuses a state-folder file, also through a symlink, and sends workspace files", async () => {
    const state = mkdtempSync(join(tmpdir(), "pincer-state-"));
    mkdirSync(join(state, "credentials"));
    mkdirSync(join(state, "workspace"));
    writeFileSync(join(state, "credentials", "secret.json"), "{}");
    writeFileSync(join(state, "workspace", "ok.txt"), "ok");
    const outside = mkdtempSync(join(tmpdir(), "pincer-outside-"));
    symlinkSync(join(state, "credentials", "secret.json"), join(outside, "innocent.txt"));
    const limit = { maxBytes: 1000, platform: "Slack", configKey: "k", stateDir: state };
    for (const path of [join(state, "credentials", "secret.json"), join(outside, "innocent.txt")]) {
      await expect(checkOutboundMedia(mediaFromRef(path), limit)).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: expect.stringMatching(/in Pincer's state folder/),
      });
    }
    await expect(checkOutboundMedia(mediaFromRef(join(state, "workspace", "ok.txt")), limit)).resolves.toMatchObject({
      sizeBytes: 2,
    });
  });
});
