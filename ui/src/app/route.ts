import { useEffect, useState } from "preact/hooks";

/** The Control UI's pages; the gateway serves index.html for each path (see src/gateway/http/static.ts). */
export const PAGES = [
  { path: "/", label: "Chat" },
  { path: "/sessions", label: "Sessions" },
  { path: "/channels", label: "Channels" },
  { path: "/pairing", label: "Pairing" },
  { path: "/cron", label: "Cron" },
  { path: "/usage", label: "Usage" },
  { path: "/config", label: "Config" },
  { path: "/logs", label: "Logs" },
] as const;
export type PagePath = (typeof PAGES)[number]["path"];

function currentPage(): PagePath {
  const path = location.pathname.replace(/\/+$/, "") || "/";
  return PAGES.find((p) => p.path === path)?.path ?? "/";
}

export function navigate(path: PagePath): void {
  if (location.pathname === path) return;
  history.pushState(null, "", path);
  dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): PagePath {
  const [page, setPage] = useState(currentPage);
  useEffect(() => {
    const onPop = () => setPage(currentPage());
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  return page;
}
