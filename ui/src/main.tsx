import { render } from "preact";
import { ControlApp } from "./app/control-app.js";
import { createGateway } from "./app/gateway-context.js";
import "./styles.css";

const gateway = createGateway("ui");
gateway.start();
const root = document.getElementById("app");
if (root) render(<ControlApp gateway={gateway} />, root);
