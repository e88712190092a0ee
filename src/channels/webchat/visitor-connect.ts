import type { PincerConfig } from "../../config/schema.js";
import type { ErrorShape } from "../../errors.js";
import type { WebChatHub } from "./hub.js";
import { type VisitorSession, visitorRoute } from "./session.js";
import { WEBCHAT_DISABLED_MESSAGE, webchatSettings } from "./settings.js";
import { verifyVisitor } from "./visitor-token.js";

/**
 * Whether a connect carrying visitor credentials is admitted: visitors must be on, the client must be the
 * widget (mode "webchat"), and the token must be the one the gateway issued for this visitor id. The caller
 * counts `authFailure` towards the failed-auth lockout, like a wrong operator token.
 */
export type VisitorConnectResult =
  | { ok: true; visitor: VisitorSession }
  | { ok: false; error: ErrorShape; authFailure: boolean };

export async function admitVisitorConnect(input: {
  config: PincerConfig;
  hub: WebChatHub;
  clientMode: string;
  credential: { visitorId: string; token: string } | "malformed";
}): Promise<VisitorConnectResult> {
  if (input.clientMode !== "webchat") {
    return {
      ok: false,
      authFailure: false,
      error: {
        code: "INVALID_REQUEST",
        message: `visitor credentials are accepted only from client.mode "webchat", got "${input.clientMode}"`,
      },
    };
  }
  const settings = webchatSettings(input.config);
  if (settings.dmPolicy === "disabled") {
    return {
      ok: false,
      authFailure: false,
      error: { code: "FORBIDDEN", message: WEBCHAT_DISABLED_MESSAGE, details: { code: "WEBCHAT_DISABLED" } },
    };
  }
  const { credential } = input;
  const secret = await input.hub.visitorSecret();
  if (credential === "malformed" || !verifyVisitor(secret, credential.visitorId, credential.token)) {
    return {
      ok: false,
      authFailure: true,
      error: {
        code: "UNAUTHORIZED",
        message: "invalid WebChat visitor token: get a new visitor identity from POST /webchat/visitor",
        details: { code: "AUTH_VISITOR_TOKEN_INVALID" },
      },
    };
  }
  return {
    ok: true,
    visitor: { visitorId: credential.visitorId, ...visitorRoute(input.config, settings, credential.visitorId) },
  };
}
