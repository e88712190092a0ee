import { render } from "preact";
import { createGateway } from "./app/gateway-context.js";
import { WebChatApp } from "./app/webchat-app.js";
import "./styles.css";

const gateway = createGateway("webchat");
gateway.start();
const root = document.getElementById("app");
if (root) render(<WebChatApp gateway={gateway} />, root);
