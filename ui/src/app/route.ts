import { useEffect, useState } from "preact/hooks";

/**
 * The Control UI's pages, as paths below the UI's base; the gateway serves index.html for each of them (see
 * src/gateway/http/static.ts) under gateway.controlUi.basePath, and puts a `<base href>` of that prefix in
 * the page, so the router reads its base from document.baseURI and never assumes it runs at `/`.
 */
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

/**
 * The path the UI is served under, always ending in "/": "/" at the root, "/pincer/" behind a prefix. Without
 * a <base> element (the Vite dev server) it is the folder of the page's URL.
 */
export function uiBase(baseUri: string = document.baseURI): string {
  return new URL(".", baseUri).pathname;
}

/** The URL path of a page: `/sessions` is `/pincer/sessions` under the base `/pincer/`. */
export function pageHref(path: PagePath, base: string = uiBase()): string {
  return base + path.slice(1);
}

/** The page a URL path shows; anything unknown or outside the base shows the chat. */
export function pageAt(pathname: string, base: string = uiBase()): PagePath {
  if (!pathname.startsWith(base)) return "/";
  const path = `/${pathname.slice(base.length).replace(/\/+$/, "")}`;
  return PAGES.find((p) => p.path === path)?.path ?? "/";
}

export function navigate(path: PagePath): void {
  const href = pageHref(path);
  if (location.pathname === href) return;
  history.pushState(null, "", href);
  dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): PagePath {
  const [page, setPage] = useState(() => pageAt(location.pathname));
  useEffect(() => {
    const onPop = () => setPage(pageAt(location.pathname));
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  return page;
}
