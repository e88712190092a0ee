/** Summaries of a V8 .cpuprofile (what `node --cpu-prof` writes): where the samples fell, by function and file. */
import { readFileSync } from "node:fs";
import { REPO_ROOT } from "./pincer.mjs";

function shortUrl(url) {
  if (!url) return "";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + "node_modules/".length);
  return url.replace(`file://${REPO_ROOT}`, "").replace(REPO_ROOT, "");
}

/** The package (`zod`, `@ai-sdk/provider-utils`), `dist/...` chunk or node: module a frame belongs to. */
function ownerOf(url) {
  const s = shortUrl(url);
  const pkg = s.match(/^((@[^/]+\/)?[^/]+)\//);
  if (url.includes("node_modules/") && pkg) return pkg[1];
  return s || "(native)";
}

/**
 * Self and inclusive time (ms) per function and per owner. Inclusive time counts a frame once per sample even
 * when it recurses, so the figures for one owner never exceed the total.
 */
export function summarizeCpuProfile(file) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfBySample = new Map();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    selfBySample.set(id, (selfBySample.get(id) ?? 0) + ms);
  });
  const selfFn = new Map();
  const inclFn = new Map();
  const inclOwner = new Map();
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  for (const [id, ms] of selfBySample) {
    const frame = nodes.get(id).callFrame;
    add(selfFn, `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`, ms);
    const seenFn = new Set();
    const seenOwner = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = nodes.get(cur).callFrame;
      const fn = `${f.functionName || "(anonymous)"} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
      if (!seenFn.has(fn)) {
        seenFn.add(fn);
        add(inclFn, fn, ms);
      }
      const owner = ownerOf(f.url);
      if (!seenOwner.has(owner)) {
        seenOwner.add(owner);
        add(inclOwner, owner, ms);
      }
    }
  }
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms }));
  return {
    totalMs,
    topSelf: (n = 30) => top(selfFn, n),
    topInclusive: (n = 30) => top(inclFn, n),
    topOwners: (n = 30) => top(inclOwner, n),
  };
}
