import { describe, expect, it } from "vitest";
import { applyHunks, type PatchOp, parsePatch } from "./patch-format.js";

function onlyUpdate(ops: PatchOp[]): Extract<PatchOp, { kind: "update" }> {
  const [op] = ops;
  if (op?.kind !== "update") throw new Error("expected one update");
  return op;
}

const patch = (...body: string[]) => ["*** Begin Patch", ...body, "*** End Patch"].join("\n");

describe("apply_patch format", () => {
  it("parses add, delete and update with move", () => {
    const ops = parsePatch(
      patch(
        "*** Add File: a.txt",
        "+one",
        "+two",
        "*** Delete File: old.txt",
        "*** Update File: src/x.ts",
        "*** Move to: src/y.ts",
        "@@ function f() {",
        "-  return 1;",
        "+  return 2;",
      ),
    );
    expect(ops).toEqual([
      { kind: "add", path: "a.txt", content: "one\ntwo\n" },
      { kind: "delete", path: "old.txt" },
      {
        kind: "update",
        path: "src/x.ts",
        moveTo: "src/y.ts",
        hunks: [{ anchor: "function f() {", oldLines: ["  return 1;"], newLines: ["  return 2;"], atEnd: false }],
      },
    ]);
  });

  it("applies hunks in order, using context and anchors", () => {
    const file = "a\nb\nc\nfunction g() {\n  x;\n}\nfunction f() {\n  x;\n}\n";
    const op = onlyUpdate(parsePatch(patch("*** Update File: f", "@@ function f() {", "-  x;", "+  y;", "@@", " }")));
    expect(applyHunks(file, op.hunks, "f")).toBe("a\nb\nc\nfunction g() {\n  x;\n}\nfunction f() {\n  y;\n}\n");
  });

  it("tolerates trailing-whitespace differences and appends at End of File", () => {
    const op = onlyUpdate(parsePatch(patch("*** Update File: f", " b", "-c", "+C", "+d", "*** End of File")));
    expect(applyHunks("a\nb  \nc\n", op.hunks, "f")).toBe("a\nb\nC\nd\n");
  });

  it("names the hunk that does not match", () => {
    const op = onlyUpdate(parsePatch(patch("*** Update File: f", "-missing", "+x")));
    expect(() => applyHunks("a\nb\n", op.hunks, "f")).toThrow(/f: hunk 1 does not match/);
  });

  it.each([
    ["no begin", "*** Update File: f\n-a\n+b\n*** End Patch"],
    ["no end", "*** Begin Patch\n*** Update File: f\n-a\n+b"],
    ["empty", patch()],
    ["bad header", patch("*** Rename File: f")],
    ["bad add line", patch("*** Add File: f", "no plus")],
    ["bad hunk line", patch("*** Update File: f", "?x")],
  ])("rejects a malformed patch: %s", (_name, text) => {
    expect(() => parsePatch(text)).toThrow(/invalid patch/);
  });
});
