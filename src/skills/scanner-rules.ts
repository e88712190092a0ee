/**
 * The static scanner's rules: what malicious skills on public registries have been seen doing (the
 * "ClawHavoc" wave: base64-wrapped `curl … | bash`, fake "prerequisite" installers, password prompts,
 * wallet and credential theft, uploads to bare IP addresses). Each rule is a line pattern with a severity;
 * high means install is refused unless the operator overrides it.
 */

export type Severity = "low" | "medium" | "high";

export interface LineRule {
  id: string;
  severity: Severity;
  message: string;
  pattern: RegExp;
}

const SHELLS = String.raw`(?:sudo\s+)?(?:ba|z|da|k|c)?sh|python[0-9.]*|perl|ruby|node|php`;

export const LINE_RULES: readonly LineRule[] = [
  {
    id: "pipe-to-shell",
    severity: "high",
    message: "downloads a script and pipes it straight into a shell or interpreter",
    pattern: new RegExp(String.raw`\b(?:curl|wget|fetch|iwr|Invoke-WebRequest)\b[^\n]*\|\s*(?:${SHELLS})\b`, "i"),
  },
  {
    id: "shell-from-download",
    severity: "high",
    message: "runs the output of a download in a shell ($(curl …), <(wget …))",
    pattern: new RegExp(String.raw`(?:${SHELLS})\s+(?:-c\s+)?["']?(?:\$\(|<\()\s*(?:curl|wget)\b`, "i"),
  },
  {
    id: "base64-exec",
    severity: "high",
    message: "decodes base64 and executes the result",
    pattern: new RegExp(
      String.raw`base64\s+(?:-d|-D|--decode)[^\n]*\|\s*(?:${SHELLS})\b|eval[^\n]*base64|(?:exec|eval)\s*\(\s*(?:base64\.b64decode|atob|Buffer\.from\([^)]*['"]base64)`,
      "i",
    ),
  },
  {
    id: "reverse-shell",
    severity: "high",
    message: "opens a reverse shell or raw socket (/dev/tcp, nc -e, bash -i >&)",
    pattern: /\/dev\/(?:tcp|udp)\/|\bnc(?:at)?\b[^\n]*\s-[a-z]*e\s|\bbash\s+-i\s*>&|\bsocat\b[^\n]*exec:/i,
  },
  {
    id: "exfil-raw-ip",
    severity: "high",
    message: "talks to a bare IP address instead of a named host (typical of exfiltration and malware drops)",
    pattern:
      /\b(?:https?|ftp|wss?):\/\/(?!(?:127\.|0\.0\.0\.0|10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.|169\.254\.))\d{1,3}(?:\.\d{1,3}){3}\b|\b(?:curl|wget|nc|ncat|scp|rsync)\b[^\n]*\s(?!(?:127\.|0\.0\.0\.0|10\.|192\.168\.))\d{1,3}(?:\.\d{1,3}){3}\b/i,
  },
  {
    id: "credential-paths",
    severity: "high",
    message: "reads credential stores (SSH keys, cloud credentials, keychains, browser logins, agent credentials)",
    pattern:
      /~?\/?\.ssh\/(?:id_[a-z0-9]+|authorized_keys)|\.aws\/credentials|\.config\/gcloud|\.netrc\b|\.docker\/config\.json|\.kube\/config|\.(?:pincer|openclaw|clawdbot)\/credentials|\/etc\/shadow|security\s+find-(?:generic|internet)-password|login\s?data|\bkeychain-db\b|Cookies\.binarycookies/i,
  },
  {
    id: "wallet-paths",
    severity: "high",
    message: "reaches for cryptocurrency wallets or seed phrases",
    pattern:
      /wallet\.dat|\bExodus\b|\bMetaMask\b|\bElectrum\b|\bPhantom\b|\.bitcoin\/|\bseed\s+phrase\b|\bmnemonic\b|nkbihfbeogaeaoehlefnkodbefgpgknn/i,
  },
  {
    id: "password-prompt",
    severity: "high",
    message: "shows a fake password dialog (osascript) to harvest the login password",
    pattern: /osascript[^\n]*display dialog[^\n]*(?:hidden answer|password)/i,
  },
  {
    id: "quarantine-bypass",
    severity: "high",
    message: "strips macOS quarantine or Gatekeeper checks from a downloaded file",
    pattern: /xattr\s+-[a-z]*d[a-z]*\s+com\.apple\.quarantine|spctl\s+--master-disable/i,
  },
  {
    id: "download-and-run",
    severity: "medium",
    message: "downloads a file and makes it executable",
    pattern: /\b(?:curl|wget)\b[^\n]*(?:-o|-O|>)[^\n]*(?:&&|;)\s*chmod\s+\+?[0-7]*x/i,
  },
  {
    id: "obfuscation",
    severity: "medium",
    message: "obfuscated code (long hex/char-code escapes or eval of built strings)",
    pattern:
      /(?:\\x[0-9a-f]{2}){16,}|String\.fromCharCode\((?:\s*\d+\s*,){12,}|\beval\s*\(\s*(?:unescape|String\.fromCharCode)/i,
  },
  {
    id: "prompt-injection",
    severity: "medium",
    message: "tries to override the assistant's instructions or hide actions from the user",
    pattern:
      /ignore (?:all )?(?:previous|prior|above) instructions|do not (?:tell|inform|show) the user|without (?:telling|asking) the user/i,
  },
];

/** Runs of base64 long enough to hide a command. */
export const BASE64_RUN = /[A-Za-z0-9+/]{40,}={0,2}/g;

/** What a decoded base64 run must not contain. */
export const DECODED_DANGER = /\b(?:curl|wget|bash|sh\s+-c|python|chmod|\/dev\/tcp|osascript)\b|https?:\/\//i;
