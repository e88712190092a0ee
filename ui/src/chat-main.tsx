import { render } from "preact";
import { useCallback, useState } from "preact/hooks";
import { createGateway } from "./app/gateway-context.js";
import { WebChatApp } from "./app/webchat-app.js";
import { loadSecret } from "./gateway/secret-store.js";
import { VisitorApp } from "./webchat/visitor-app.js";
import "./styles.css";

/**
 * /chat: with the operator token stored in this browser it is the owner's chat (the main session, as
 * before); without it the page is a visitor's WebChat and never needs, asks for or sees the operator token.
 */
function ChatPage() {
  const [operator, setOperator] = useState(() => Boolean(loadSecret()));
  const loginAsOperator = useCallback(() => setOperator(true), []);
  if (operator) return <OperatorChat />;
  return <VisitorApp onOperatorLogin={loginAsOperator} />;
}

function OperatorChat() {
  const [gateway] = useState(() => {
    const gw = createGateway("webchat");
    gw.start();
    return gw;
  });
  return <WebChatApp gateway={gateway} />;
}

const root = document.getElementById("app");
if (root) render(<ChatPage />, root);
